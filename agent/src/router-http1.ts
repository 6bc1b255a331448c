import { Agent, createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { log } from './log.js';
import { ROUTE_ERROR_HEADER, ROUTE_PROBE_HEADER, ROUTER_POD_HEADER, ROUTER_SESSIONS_HEADER, type RouteEntry } from './contract/routing-record.js';
import type { RouteTable } from './route-table.js';

/** Headers of one hop (RFC 9110 §7.6.1): each side of the router has its own connection. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/** A mirror copy past this many bytes waiting to be written is dropped: the caller never waits on it. */
export const MIRROR_BUFFER_BYTES = 1024 * 1024;

function forwardHeaders(req: IncomingMessage): OutgoingHttpHeaders {
	const named = new Set((req.headers.connection ?? '').split(',').map((h) => h.trim().toLowerCase()));
	const headers: OutgoingHttpHeaders = {};
	for (const [name, value] of Object.entries(req.headers)) {
		if (!HOP.has(name) && !named.has(name) && value !== undefined) headers[name] = value;
	}
	return headers;
}

/** Where each destination's keep-alive connections are pooled: a request never waits for another's connection. */
class Pools {
	private readonly agents = new Map<string, Agent>();
	of(host: string): Agent {
		let agent = this.agents.get(host);
		if (!agent) {
			agent = new Agent({ keepAlive: true, maxFreeSockets: 16 });
			this.agents.set(host, agent);
		}
		return agent;
	}
}

/**
 * HTTP/1.1 on a routed port, request by request: a keep-alive connection whose requests
 * carry different header values sends each to its own place. Mirrors get a copy of the
 * request whose answer is thrown away.
 */
export function http1Router(table: RouteTable, pod: string, port: number): Server {
	const pools = new Pools();
	const server = createServer({ keepAlive: true }, (req, res) => {
		if (req.headers[ROUTE_PROBE_HEADER] !== undefined) return answerProbe(res, table, pod);
		const choice = table.choose(req.headers);
		const host = choice.session?.pod ?? table.originals;
		if (!host) return fail(res, 503, 'originalsUnknown', 'the router has not read where the original pods are yet');
		const headers = forwardHeaders(req);
		const copies = choice.mirrors.map((m) => mirrorRequest(m, req, headers, port, pools));
		const upstream = request({ host, port, method: req.method, path: req.url, headers, agent: pools.of(host) }, (answer) => {
			const back: OutgoingHttpHeaders = {};
			for (const [name, value] of Object.entries(answer.headers)) if (!HOP.has(name) && value !== undefined) back[name] = value;
			res.writeHead(answer.statusCode ?? 502, answer.statusMessage, back);
			answer.pipe(res);
			answer.on('error', () => res.destroy());
		});
		upstream.on('error', (error) => {
			const where = choice.session ? `session ${choice.session.session}'s agent pod ${host}` : `the original pods (${host})`;
			if (!res.headersSent) fail(res, 502, choice.session ? 'sessionUnreachable' : 'originalsUnreachable', `${where}: ${error.message}`);
			else res.destroy();
		});
		req.on('data', (chunk: Buffer) => { for (const copy of copies) copy(chunk); });
		req.on('end', () => { for (const copy of copies) copy(null); });
		req.pipe(upstream);
		res.on('close', () => { if (!res.writableFinished) upstream.destroy(); });
	});
	server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => upgrade(table, req, socket, head, port));
	server.on('clientError', (_error, socket: Socket) => {
		if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
	});
	return server;
}

function answerProbe(res: ServerResponse, table: RouteTable, pod: string): void {
	res.writeHead(204, { [ROUTER_POD_HEADER]: pod, [ROUTER_SESSIONS_HEADER]: table.sessions().join(',') }).end();
}

/** An answer the router makes itself: the header names the reason a client can switch on. */
function fail(res: ServerResponse, status: number, reason: string, message: string): void {
	const body = JSON.stringify({ reason, message });
	res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), [ROUTE_ERROR_HEADER]: reason }).end(body);
}

/** A copy of the request to a mirror: written as the caller's body arrives, its answer read and dropped. */
function mirrorRequest(entry: RouteEntry, req: IncomingMessage, headers: OutgoingHttpHeaders, port: number, pools: Pools): (chunk: Buffer | null) => void {
	const copy = request({ host: entry.pod, port, method: req.method, path: req.url, headers, agent: pools.of(entry.pod), timeout: 30_000 }, (answer) => answer.resume());
	let dropped = false;
	copy.on('error', (error) => {
		if (!dropped) log('mirror copy failed', { session: entry.session, error: error.message });
		dropped = true;
	});
	copy.on('timeout', () => copy.destroy(new Error('the mirror did not answer in 30 s')));
	return (chunk) => {
		if (dropped) return;
		if (chunk === null) return void copy.end();
		if (copy.writableLength > MIRROR_BUFFER_BYTES) {
			dropped = true;
			log('mirror copy dropped: it reads slower than the caller sends', { session: entry.session });
			copy.destroy();
			return;
		}
		copy.write(chunk);
	};
}

/** An Upgrade (WebSocket and the like) goes where its request's headers say, then carries bytes both ways. */
function upgrade(table: RouteTable, req: IncomingMessage, socket: Socket, head: Buffer, port: number): void {
	const host = table.choose(req.headers).session?.pod ?? table.originals;
	if (!host) return void socket.destroy();
	const upstream = connect({ host, port });
	const lines = [`${req.method} ${req.url} HTTP/1.1`];
	for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
	upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
	if (head.length > 0) upstream.write(head);
	upstream.pipe(socket).pipe(upstream);
	upstream.on('error', () => socket.destroy());
	socket.on('error', () => upstream.destroy());
}
