import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { AGENT_HEADERS, AGENT_PATHS, HEARTBEAT_MS, type AgentEvent } from '../../agent/src/contract/contract.js';
import { addCounts, noCounts, relayOverSocket, type DatagramRelay } from '../../agent/src/contract/datagram-relay.js';
import { spliceSocket } from '../../agent/src/contract/handoff.js';
import type { AgentDatagramCounts, AgentDatagramStats } from '../../protocol/index.js';
import type { Logger } from '../log/logger.js';
import type { IncomingMessage } from 'node:http';
import { openRequest, openTunnel, readEvents, type AgentAddress, type Tunnel } from './agent-exchange.js';
import { peekCaller } from './caller-peek.js';
import type { ApiEndpoint } from '../cluster/port-forward.js';
import type { Forwarder } from '../cluster/pod-streams.js';
import type { ProbeCatcher } from './route-probes.js';

export type LinkState = 'connecting' | 'serving' | 'reconnecting' | 'closed';

export interface LinkListener {
	stateChanged(pod: string, state: LinkState, detail: string): void;
	/** Nothing listens on a local port the agent handed a caller to; said once until it does. */
	localRefused(localPort: number, remotePort: number): void;
	/** A local port that refused callers accepted one again. */
	localAccepted(localPort: number): void;
}

export interface LinkStats {
	pod: string;
	state: LinkState;
	idleTunnels: number;
	activeConnections: number;
	totalConnections: number;
	/** Present when the agent takes UDP ports. */
	udp?: AgentDatagramStats;
}

const IDLE_TUNNELS = 8;
/** Beyond the idle ones, tunnels opened at once when callers wait. */
const MAX_OUTSTANDING = 64;
/**
 * A retry against an API server that is down costs one refused or timed-out connect, so
 * retrying every second is cheap; the cap is the most serving can lag behind its return.
 */
const MAX_BACKOFF_MS = 1000;

/**
 * The sidecar's side of one agent pod: the events stream that says the agent is alive, and
 * a pool of tunnels opened ahead so a caller gets one at once. The tunnels come from
 * `tunnels` (a port-forward session each, so connections never share a stream's stall);
 * the events stream is a port-forward of its own. When the stream drops (pod replaced,
 * API server restarted, network gone) it reconnects by itself.
 */
export class AgentLink {
	private state: LinkState = 'connecting';
	private events: IncomingMessage | null = null;
	private outstanding = 0;
	private active = 0;
	private total = 0;
	private backoffMs = 250;
	private watchdog: NodeJS.Timeout | null = null;
	private readonly refusedPorts = new Set<number>();
	private readonly abort = new AbortController();
	private readonly relays = new Set<DatagramRelay>();
	private readonly endedRelays = noCounts();
	private flows = 0;
	private agentDatagrams: AgentDatagramCounts | null = null;

	constructor(
		private readonly endpoint: ApiEndpoint,
		private readonly tunnels: Forwarder,
		private readonly agent: AgentAddress,
		/** Agent port → local port. */
		private readonly ports: ReadonlyMap<number, number>,
		private readonly listener: LinkListener,
		private readonly logger: Logger,
		/** The session's routing probes: a caller that is one never reaches the local process. */
		private readonly probes: ProbeCatcher | null = null,
		/** Agent UDP port → local UDP port. */
		private readonly udpPorts: ReadonlyMap<number, number> = new Map(),
	) {}

	get pod(): string { return this.agent.pod; }

	get address(): AgentAddress { return this.agent; }

	stats(): LinkStats {
		const stats: LinkStats = { pod: this.pod, state: this.state, idleTunnels: this.outstanding, activeConnections: this.active, totalConnections: this.total };
		if (this.udpPorts.size === 0) return stats;
		const counts = [...this.relays].map((r) => r.counts).reduce(addCounts, { ...this.endedRelays });
		return {
			...stats,
			udp: {
				flows: this.flows, activeFlows: this.relays.size, toLocal: counts.received, fromLocal: counts.sent,
				droppedOversize: counts.oversize, droppedBacklog: counts.backlog, agent: this.agentDatagrams,
			},
		};
	}

	start(): void {
		void this.connectEvents();
	}

	stop(): void {
		this.setState('closed', 'disconnected');
		this.abort.abort();
		this.events?.destroy();
		if (this.watchdog) clearTimeout(this.watchdog);
	}

	private setState(state: LinkState, detail: string): void {
		if (this.state === state || this.state === 'closed') return;
		this.state = state;
		this.logger.info('tunnel', `agent ${this.pod}: ${state}`, { detail });
		this.listener.stateChanged(this.pod, state, detail);
	}

	private async connectEvents(): Promise<void> {
		if (this.state === 'closed') return;
		try {
			this.events = await openRequest(this.endpoint, this.agent, AGENT_PATHS.events, this.abort.signal);
		} catch (error) {
			this.retry(`cannot reach the agent: ${(error as Error).message}`);
			return;
		}
		const response = this.events;
		this.armWatchdog();
		readEvents(response, (event) => this.onEvent(event));
		response.on('close', () => this.retry('the agent connection dropped'));
	}

	private retry(why: string): void {
		if (this.state === 'closed') return;
		this.events = null;
		if (this.watchdog) clearTimeout(this.watchdog);
		this.setState('reconnecting', why);
		setTimeout(() => void this.connectEvents(), this.backoffMs).unref();
		this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
	}

	/** A stream that stops carrying heartbeats is dead even if no socket said so. */
	private armWatchdog(): void {
		if (this.watchdog) clearTimeout(this.watchdog);
		this.watchdog = setTimeout(() => this.events?.destroy(), HEARTBEAT_MS * 3);
		this.watchdog.unref();
	}

	private onEvent(event: AgentEvent): void {
		this.armWatchdog();
		if (event.event === 'hello') {
			this.backoffMs = 250;
			this.setState('serving', `agent on ports ${[...event.ports, ...(event.udpPorts ?? []).map((p) => `${p}/udp`)].join(', ')}`);
			this.fill(IDLE_TUNNELS);
		} else if (event.event === 'waiting') {
			this.fill(Math.min(this.outstanding + event.count, MAX_OUTSTANDING));
		} else if (event.event === 'heartbeat' && event.udp) {
			const { flows, activeFlows, sent, received, oversize, backlog } = event.udp;
			this.agentDatagrams = { flows, activeFlows, fromCallers: sent, toCallers: received, droppedOversize: oversize, droppedBacklog: backlog };
		}
	}

	private fill(target: number): void {
		while (this.state === 'serving' && this.outstanding < target) this.openTunnel();
	}

	private openTunnel(): void {
		this.outstanding++;
		openTunnel(this.tunnels, this.agent, AGENT_PATHS.accept, this.abort.signal).then((tunnel) => {
			this.outstanding--;
			this.fill(IDLE_TUNNELS);
			this.serveCaller(tunnel);
		}, (error: Error) => {
			this.outstanding--;
			this.logger.debug('tunnel', `tunnel to ${this.pod} failed: ${error.message}`);
			// The events stream decides about reconnecting; a lone failure is retried later.
			if (this.state === 'serving') setTimeout(() => this.fill(IDLE_TUNNELS), this.backoffMs).unref();
		});
	}

	private serveCaller(tunnel: Tunnel): void {
		if (tunnel.headers[AGENT_HEADERS.transport] === 'udp') {
			this.relayFlow(tunnel);
			return;
		}
		if (!this.probes?.watching) {
			this.connectLocal(tunnel);
			return;
		}
		void peekCaller(tunnel, this.probes, this.pod).then((caller) => { if (caller) this.connectLocal(caller); });
	}

	/**
	 * A caller's flow of datagrams: a UDP socket of its own towards the local port, so the
	 * local process sees one sender per caller and its replies go back to that caller alone.
	 */
	private relayFlow(tunnel: Tunnel): void {
		const remotePort = Number(tunnel.headers[AGENT_HEADERS.port]);
		const localPort = this.udpPorts.get(remotePort) ?? remotePort;
		const socket = createSocket('udp4');
		this.flows++;
		socket.once('error', () => tunnel.socket.destroy());
		socket.connect(localPort, '127.0.0.1', () => {
			const relay = relayOverSocket(tunnel.socket, tunnel.head, socket);
			this.relays.add(relay);
			relay.onClose(() => {
				this.relays.delete(relay);
				addCounts(this.endedRelays, relay.counts);
			});
		});
	}

	private connectLocal(tunnel: Tunnel): void {
		const remotePort = Number(tunnel.headers[AGENT_HEADERS.port]);
		const localPort = this.ports.get(remotePort) ?? remotePort;
		const local: Socket = connect({ host: '127.0.0.1', port: localPort, allowHalfOpen: true, noDelay: true });
		this.total++;
		local.once('connect', () => {
			if (this.refusedPorts.delete(localPort)) this.listener.localAccepted(localPort);
			this.active++;
			local.once('close', () => { this.active--; });
			spliceSocket(local, tunnel.socket, tunnel.head);
		});
		local.once('error', (error: NodeJS.ErrnoException) => {
			if (local.connecting || error.code === 'ECONNREFUSED') {
				// The caller in the cluster is reset at once rather than left hanging.
				tunnel.socket.destroy();
				if (!this.refusedPorts.has(localPort)) {
					this.refusedPorts.add(localPort);
					this.listener.localRefused(localPort, remotePort);
				}
			}
		});
	}
}
