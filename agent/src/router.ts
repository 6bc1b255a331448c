import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { AGENT_ENV, AGENT_PATHS, DEFAULT_HEALTH_PORT } from './contract/contract.js';
import { InClusterApi } from './in-cluster-api.js';
import { log } from './log.js';
import { RouteTable } from './route-table.js';
import { ROUTER_ENV } from './contract/routing-record.js';
import { http1Router, MIRROR_BUFFER_BYTES } from './router-http1.js';
import { http2Router } from './router-http2.js';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
/** An HTTP/1.x request line starts with a method token and a space. */
const HTTP1_START = /^[A-Z][A-Z-]{0,19} /;
/**
 * How long a connection that sends nothing waits before it is taken for a protocol where
 * the server speaks first: it goes to the originals as raw bytes.
 */
const SNIFF_MS = 300;

type Kind = 'http2' | 'http1' | 'raw';

/** What the first bytes of a connection say it speaks; null while they cannot tell yet. */
export function sniff(bytes: Buffer): Kind | null {
	const head = bytes.subarray(0, H2_PREFACE.length);
	if (H2_PREFACE.subarray(0, head.length).equals(head)) return head.length === H2_PREFACE.length ? 'http2' : null;
	const text = bytes.subarray(0, 21).toString('latin1');
	if (HTTP1_START.test(text)) return 'http1';
	return /^[A-Z][A-Z-]{0,19}$/.test(text) ? null : 'raw';
}

/**
 * The router of a Service shared by several sessions: the Service selects its pods while
 * the original pods keep running. Each HTTP request goes to the session whose header it
 * carries, or to the originals; anything that is not HTTP goes to the originals as bytes.
 */
export async function serveRouter(): Promise<void> {
	const env = process.env;
	const service = env[ROUTER_ENV.service] ?? '';
	const ports = (env[AGENT_ENV.ports] ?? '').split(',').filter(Boolean).map(Number);
	const healthPort = Number(env[AGENT_ENV.healthPort] || DEFAULT_HEALTH_PORT);
	const pod = env.HOSTNAME ?? 'router';
	const api = new InClusterApi();
	const table = new RouteTable(api, service);
	void table.follow();
	createHttpServer((req, res) => {
		const ok = req.url === AGENT_PATHS.health || (req.url === AGENT_PATHS.ready && table.ready);
		res.writeHead(ok ? 200 : 503).end(ok ? 'ok' : 'not ready');
	}).listen(healthPort);
	await Promise.all(ports.map((port) => listenRouted(table, pod, port)));
	log('router ready', { pod, service, ports });
}

/** One routed port: each connection to the HTTP/2 or the HTTP/1.1 router, or as bytes to the originals. */
export function listenRouted(table: RouteTable, pod: string, port: number, host?: string): Promise<Server> {
	const h1 = http1Router(table, pod, port);
	const h2 = http2Router(table, pod, port);
	const server = createServer({ allowHalfOpen: false, noDelay: true }, (socket) => {
		socket.on('error', () => undefined);
		whenKnown(socket, (kind, first) => {
			socket.unshift(first);
			if (kind === 'http2') h2.emit('connection', socket);
			else if (kind === 'http1') {
				h1.emit('connection', socket);
				// The HTTP/1 parser reads what was put back only once the socket flows again.
				socket.resume();
			} else raw(socket, port, table);
		});
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => resolve(server));
	});
}

/** Reads until the first bytes tell the protocol, or the caller stays silent past `SNIFF_MS`. */
function whenKnown(socket: Socket, then: (kind: Kind, first: Buffer) => void): void {
	let first = Buffer.alloc(0);
	const done = (kind: Kind) => {
		clearTimeout(timer);
		socket.off('data', onData);
		socket.pause();
		then(kind, first);
	};
	const onData = (chunk: Buffer) => {
		first = Buffer.concat([first, chunk]);
		const kind = sniff(first);
		if (kind) done(kind);
	};
	const timer = setTimeout(() => done('raw'), SNIFF_MS);
	socket.on('data', onData);
}

/** Bytes both ways to the originals; a mirror of every request gets a copy of what the caller sends. */
function raw(socket: Socket, port: number, table: RouteTable): void {
	const host = table.originals;
	if (!host) return void socket.destroy();
	const upstream = connect({ host, port, noDelay: true });
	const mirrors = table.rawMirrors().map((entry) => {
		const copy = connect({ host: entry.pod, port });
		copy.on('error', () => undefined);
		copy.resume();
		return copy;
	});
	socket.on('data', (chunk: Buffer) => {
		for (const copy of mirrors) {
			if (copy.writableLength > MIRROR_BUFFER_BYTES) copy.destroy();
			else if (!copy.destroyed) copy.write(chunk);
		}
	});
	socket.on('end', () => { for (const copy of mirrors) copy.end(); });
	socket.on('close', () => { for (const copy of mirrors) copy.destroy(); });
	socket.pipe(upstream).pipe(socket);
	upstream.on('error', () => socket.destroy());
	socket.on('error', () => upstream.destroy());
}
