import {
	connect, constants, createServer, type ClientHttp2Session, type Http2Server, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream,
} from 'node:http2';
import { log } from './log.js';
import { ROUTE_ERROR_HEADER, ROUTE_PROBE_HEADER, ROUTER_POD_HEADER, ROUTER_SESSIONS_HEADER, type RouteEntry } from './contract/routing-record.js';
import type { RouteTable } from './route-table.js';
import { MIRROR_BUFFER_BYTES } from './router-http1.js';

/** Large windows: the default 64 KiB caps a stream far below what the pod network carries. */
const WINDOW = 16 * 1024 * 1024;
const SETTINGS = { initialWindowSize: WINDOW };

/** Fields HTTP/2 forbids (RFC 9113 §8.2.2) or that belong to this hop. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings']);

function requestHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
	const out: OutgoingHttpHeaders = {};
	for (const [name, value] of Object.entries(headers)) {
		if (CONNECTION_SPECIFIC.has(name) || value === undefined) continue;
		if (name === 'te' && value !== 'trailers') continue;
		out[name] = value;
	}
	return out;
}

const responseHeaders = (headers: IncomingHttpHeaders): OutgoingHttpHeaders =>
	Object.fromEntries(Object.entries(headers).filter(([name, value]) => !CONNECTION_SPECIFIC.has(name) && value !== undefined));

/** One cleartext HTTP/2 connection per destination, made again when it closed: streams of many callers share it. */
class Sessions {
	private readonly sessions = new Map<string, ClientHttp2Session>();
	of(host: string, port: number): ClientHttp2Session {
		const key = `${host}:${port}`;
		const known = this.sessions.get(key);
		if (known && !known.closed && !known.destroyed) return known;
		const session = connect(`http://${host}:${port}`, { settings: SETTINGS });
		session.on('connect', () => session.setLocalWindowSize(WINDOW));
		session.on('error', (error) => log('HTTP/2 connection failed', { host, port, error: error.message }));
		session.on('close', () => { if (this.sessions.get(key) === session) this.sessions.delete(key); });
		session.on('goaway', () => { if (this.sessions.get(key) === session) this.sessions.delete(key); });
		this.sessions.set(key, session);
		return session;
	}
}

/**
 * HTTP/2 (gRPC included) on a routed port, stream by stream: each request goes where its
 * headers say, its trailers travel back, and mirrors get a copy whose answer is dropped.
 */
export function http2Router(table: RouteTable, pod: string, port: number): Http2Server {
	const sessions = new Sessions();
	const server = createServer({ settings: SETTINGS });
	server.on('session', (session) => session.on('connect', () => session.setLocalWindowSize(WINDOW)));
	server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
		stream.on('error', () => undefined);
		if (headers[ROUTE_PROBE_HEADER] !== undefined) {
			stream.respond({ ':status': 204, [ROUTER_POD_HEADER]: pod, [ROUTER_SESSIONS_HEADER]: table.sessions().join(',') }, { endStream: true });
			return;
		}
		const choice = table.choose(headers);
		const host = choice.session?.pod ?? table.originals;
		if (!host) return fail(stream, 503, 'originalsUnknown');
		const copies = choice.mirrors.map((m) => mirrorStream(m, headers, sessions.of(m.pod, port)));
		const upstream = sessions.of(host, port).request(requestHeaders(headers), { endStream: false });
		let trailers: OutgoingHttpHeaders | null = null;
		upstream.on('response', (answer) => {
			if (stream.destroyed) return;
			stream.respond(responseHeaders(answer), { waitForTrailers: true });
			stream.on('wantTrailers', () => (trailers ? stream.sendTrailers(trailers) : stream.close()));
			upstream.pipe(stream);
		});
		upstream.on('trailers', (received) => { trailers = responseHeaders(received); });
		upstream.on('error', (error) => {
			if (!stream.headersSent) fail(stream, 502, choice.session ? 'sessionUnreachable' : 'originalsUnreachable');
			else stream.close(constants.NGHTTP2_INTERNAL_ERROR);
			log('HTTP/2 stream failed', { host, error: error.message });
		});
		stream.on('data', (chunk: Buffer) => { for (const copy of copies) copy(chunk); });
		stream.on('end', () => { for (const copy of copies) copy(null); });
		stream.pipe(upstream);
		stream.on('close', () => { if (!upstream.closed) upstream.close(constants.NGHTTP2_CANCEL); });
	});
	return server;
}

function fail(stream: ServerHttp2Stream, status: number, reason: string): void {
	if (stream.destroyed) return;
	stream.respond({ ':status': status, [ROUTE_ERROR_HEADER]: reason, 'content-type': 'application/json' });
	stream.end(JSON.stringify({ reason }));
}

function mirrorStream(entry: RouteEntry, headers: IncomingHttpHeaders, session: ClientHttp2Session): (chunk: Buffer | null) => void {
	let dropped = false;
	const copy = session.request(requestHeaders(headers), { endStream: false });
	copy.on('error', (error) => {
		if (!dropped) log('mirror copy failed', { session: entry.session, error: error.message });
		dropped = true;
	});
	copy.resume();
	copy.setTimeout(30_000, () => copy.close(constants.NGHTTP2_CANCEL));
	return (chunk) => {
		if (dropped) return;
		if (chunk === null) return void copy.end();
		if (copy.writableLength > MIRROR_BUFFER_BYTES) {
			dropped = true;
			copy.close(constants.NGHTTP2_CANCEL);
			return;
		}
		copy.write(chunk);
	};
}
