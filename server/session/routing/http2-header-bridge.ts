import {
	connect, constants, createServer, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream,
} from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Large windows: the default 64 KiB would cap each stream far below what a tunnel carries. */
const WINDOW = 16 * 1024 * 1024;
const SETTINGS = { initialWindowSize: WINDOW };

/**
 * Cleartext HTTP/2 from a local program, whose HPACK-coded headers cannot be edited as
 * bytes: its connection is answered here, and each stream is sent again on one client
 * session over `upstream` with `name: value` added unless the request carries it already,
 * so a gRPC call chain stays on the developer's route. Bodies stream both ways; status,
 * headers and trailers come back; a reset on either side resets the other stream; when
 * either connection ends, the other is closed too.
 */
export function bridgeHttp2(local: Socket, upstream: Duplex, name: string, value: string): void {
	const header = name.toLowerCase();
	const client = connect('http://upstream', { createConnection: () => upstream, settings: SETTINGS });
	const server = createServer({ settings: SETTINGS });
	client.on('error', () => undefined);
	client.on('connect', () => client.setLocalWindowSize(WINDOW));
	server.on('session', (session) => {
		session.on('error', () => undefined);
		session.on('connect', () => session.setLocalWindowSize(WINDOW));
		session.on('close', () => client.close());
		client.on('close', () => session.close());
	});
	server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
		const request: OutgoingHttpHeaders = { ...headers };
		if (request[header] === undefined) request[header] = value;
		if (client.closed || client.destroyed) return stream.close(constants.NGHTTP2_REFUSED_STREAM);
		relay(stream, client.request(request, { endStream: false }));
	});
	server.emit('connection', local);
}

/** One stream: the request's body up, the answer, its body and trailers down, a reset either way. */
function relay(stream: ServerHttp2Stream, upstream: ClientHttp2Stream): void {
	let trailers: OutgoingHttpHeaders = {};
	stream.on('error', () => undefined);
	upstream.on('error', () => undefined);
	upstream.on('response', (answer, flags) => {
		if (stream.destroyed) return;
		if (flags & constants.NGHTTP2_FLAG_END_STREAM) return stream.respond({ ...answer }, { endStream: true });
		stream.respond({ ...answer }, { waitForTrailers: true });
		stream.on('wantTrailers', () => stream.sendTrailers(trailers));
		upstream.pipe(stream);
	});
	upstream.on('trailers', (received) => { trailers = { ...received }; });
	stream.pipe(upstream);
	upstream.on('close', () => {
		if (stream.closed) return;
		if (!stream.headersSent) stream.close(upstream.rstCode || constants.NGHTTP2_INTERNAL_ERROR);
		else if (upstream.rstCode !== constants.NGHTTP2_NO_ERROR) stream.close(upstream.rstCode);
	});
	stream.on('close', () => { if (!upstream.closed) upstream.close(stream.rstCode || constants.NGHTTP2_CANCEL); });
}
