import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AGENT_PATHS, HEARTBEAT_MS, type AgentEvent } from './contract/contract.js';
import type { DatagramFlows, FlowCounts } from './contract/datagram-flows.js';
import { addCounts, noCounts } from './contract/datagram-relay.js';
import { authorized, dial, tunnelUpgrade } from './dial-server.js';
import type { FileServer } from './file-server.js';
import { log } from './log.js';
import type { TunnelPool } from './pool.js';
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
	private flows: DatagramFlows[] = [];

	constructor(private readonly settings: AgentSettings, private readonly pool: TunnelPool, private readonly files: FileServer,
		private readonly readiness: ReadinessMirror) {
		this.server = createServer({ keepAlive: true, requestTimeout: 0, headersTimeout: 10_000 }, (req, res) => this.route(req, res));
		this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
		setInterval(() => this.broadcast({ event: 'heartbeat', idle: pool.idleCount, active: pool.active, ...this.datagrams() }), HEARTBEAT_MS).unref();
	}

	/**
	 * Whether a sidecar is there to open tunnels: connected now, or gone for less than the
	 * time it takes to reconnect (a dropped forward, an API server restart). Callers wait
	 * for it then, and are reset at once otherwise.
	 */
	get sidecarExpected(): boolean {
		return this.subscribers.size > 0 || Date.now() - this.lastSeen < RECONNECT_GRACE_MS;
	}

	/** The UDP ports' flows, whose counts the heartbeats carry. */
	watchFlows(flows: DatagramFlows[]): void {
		this.flows = flows;
	}

	private datagrams(): { udp?: FlowCounts } {
		if (this.flows.length === 0) return {};
		const udp: FlowCounts = { ...noCounts(), flows: 0, activeFlows: 0 };
		for (const counts of this.flows.map((f) => f.counts())) {
			addCounts(udp, counts);
			udp.flows += counts.flows;
			udp.activeFlows += counts.activeFlows;
		}
		return { udp };
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

	/** Tunnels: after the upgrade the connection is the caller's, or the dialled one's. */
	private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
		const upgrade = tunnelUpgrade(req, socket, head, this.settings.tokenHash);
		if (!upgrade) return;
		if (upgrade.url.pathname === AGENT_PATHS.accept) return this.pool.offerTunnel(socket);
		if (upgrade.url.pathname === AGENT_PATHS.dial) return dial(upgrade.url, socket, upgrade.refuse);
		upgrade.refuse('404 Not Found');
	}

	private route(req: IncomingMessage, res: ServerResponse): void {
		if (!authorized(req, this.settings.tokenHash)) {
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
			pod: this.settings.pod, ports: this.settings.ports, udpPorts: this.settings.udpPorts, idle: this.pool.idleCount, active: this.pool.active, version: VERSION,
			...this.datagrams(),
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
		res.write(JSON.stringify({ event: 'hello', pod: this.settings.pod, ports: this.settings.ports, udpPorts: this.settings.udpPorts, version: VERSION } satisfies AgentEvent) + '\n');
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
