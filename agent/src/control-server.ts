import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { hasToken } from './auth.js';
import { AGENT_PATHS, HEARTBEAT_MS, TUNNEL_UPGRADE, type AgentEvent } from './contract.js';
import type { FileServer } from './file-server.js';
import { spliceSocket } from './handoff.js';
import { log } from './log.js';
import { switchingProtocols, type TunnelPool } from './pool.js';
import type { ReadinessMirror } from './readiness.js';
import type { AgentSettings } from './settings.js';

const VERSION = '1';
const RECONNECT_GRACE_MS = 15_000;

/**
 * The endpoint only the sidecar reaches: bound to 127.0.0.1 in the pod (a port-forward
 * arrives there, other pods cannot) and every request must carry the session token.
 */
export class ControlServer {
	private readonly server: Server;
	private readonly subscribers = new Set<ServerResponse>();
	private lastSeen = 0;

	constructor(private readonly settings: AgentSettings, private readonly pool: TunnelPool, private readonly files: FileServer,
		private readonly readiness: ReadinessMirror) {
		this.server = createServer({ keepAlive: true, requestTimeout: 0, headersTimeout: 10_000 }, (req, res) => this.route(req, res));
		this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
		setInterval(() => this.broadcast({ event: 'heartbeat', idle: pool.idleCount, active: pool.active }), HEARTBEAT_MS).unref();
	}

	/**
	 * Whether a sidecar is there to open tunnels: connected now, or gone for less than the
	 * time it takes to reconnect (a dropped forward, an API server restart). Callers wait
	 * for it then, and are reset at once otherwise.
	 */
	get sidecarExpected(): boolean {
		return this.subscribers.size > 0 || Date.now() - this.lastSeen < RECONNECT_GRACE_MS;
	}

	listen(): Promise<void> {
		return new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(this.settings.controlPort, '127.0.0.1', () => resolve());
		});
	}

	broadcast(event: AgentEvent): void {
		const line = JSON.stringify(event) + '\n';
		for (const res of this.subscribers) res.write(line);
	}

	private authorized(req: IncomingMessage): boolean {
		if (hasToken(req, this.settings.tokenHash)) return true;
		log('refused a request without the session token', { from: req.socket.remoteAddress, path: req.url });
		return false;
	}

	/** Tunnels: after the upgrade the connection is the caller's, or the dialled one's. */
	private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
		const url = new URL(req.url ?? '/', 'http://agent');
		const refuse = (status: string): void => { socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`); };
		if (!this.authorized(req)) return refuse('401 Unauthorized');
		if (req.headers.upgrade !== TUNNEL_UPGRADE) return refuse('400 Bad Request');
		if (head.length > 0) socket.unshift(head);
		if (url.pathname === AGENT_PATHS.accept) return this.pool.offerTunnel(socket);
		if (url.pathname === AGENT_PATHS.dial) return dial(url, socket, refuse);
		refuse('404 Not Found');
	}

	private route(req: IncomingMessage, res: ServerResponse): void {
		if (!this.authorized(req)) {
			res.writeHead(401).end();
			return;
		}
		const url = new URL(req.url ?? '/', 'http://agent');
		if (req.method === 'GET' && url.pathname === AGENT_PATHS.events) return this.subscribe(res);
		if (req.method === 'GET' && url.pathname === AGENT_PATHS.status) {
			res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.status()));
			return;
		}
		if (req.method === 'POST' && url.pathname === AGENT_PATHS.armReadiness) return this.armReadiness(res);
		if (req.method === 'GET' && this.files.handles(url.pathname)) {
			this.files.serve(url, res).catch((error: Error) => {
				log('serving files failed', { error: error.message });
				if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
				res.end(error.message);
			});
			return;
		}
		res.writeHead(404).end();
	}

	private status(): Record<string, unknown> {
		return {
			pod: this.settings.pod, ports: this.settings.ports, idle: this.pool.idleCount, active: this.pool.active, version: VERSION,
			readiness: { mirrors: this.readiness.mirrors, armed: this.readiness.isArmed },
		};
	}

	/** Armed only while a sidecar is linked: its link dropping disarms (see `subscribe`). */
	private armReadiness(res: ServerResponse): void {
		const json = { 'content-type': 'application/json' };
		if (this.subscribers.size === 0) {
			res.writeHead(409, json).end(JSON.stringify({ error: 'no sidecar is linked' }));
			return;
		}
		this.readiness.arm();
		res.writeHead(200, json).end(JSON.stringify({ mirrors: this.readiness.mirrors, armed: this.readiness.isArmed }));
	}

	private subscribe(res: ServerResponse): void {
		res.writeHead(200, { 'content-type': 'application/x-ndjson' });
		this.subscribers.add(res);
		res.write(JSON.stringify({ event: 'hello', pod: this.settings.pod, ports: this.settings.ports, version: VERSION } satisfies AgentEvent) + '\n');
		log('sidecar connected');
		res.on('close', () => {
			this.subscribers.delete(res);
			this.lastSeen = Date.now();
			if (this.subscribers.size > 0) return;
			log('sidecar gone');
			this.readiness.disarm();
		});
	}
}

/** Opens a connection inside the cluster for the sidecar and joins it to the tunnel. */
function dial(url: URL, tunnel: Duplex, refuse: (status: string) => void): void {
	const host = url.searchParams.get('host') ?? '';
	const port = Number(url.searchParams.get('port'));
	if (!host || !Number.isInteger(port) || port < 1 || port > 65535) return refuse('400 Bad Request');
	const socket = connect({ host, port, allowHalfOpen: true, noDelay: true });
	let connected = false;
	socket.once('connect', () => {
		connected = true;
		tunnel.write(switchingProtocols({}));
		spliceSocket(socket, tunnel);
	});
	socket.once('error', () => { if (!connected) refuse('502 Bad Gateway'); });
}
