import type { RemoteInfo, Socket as UdpSocket } from 'node:dgram';
import type { Duplex } from 'node:stream';
import { addCounts, DatagramRelay, noCounts, sinkTo, type DatagramCounts } from './datagram-relay.js';

/** A tunnel opened for one flow, switched and ready for frames. */
export interface FlowTunnel {
	socket: Duplex;
	/** Tunnel bytes that arrived with the switch. */
	head: Buffer;
}

/** Opens the tunnel for the datagrams of a new sender. */
export type OpenFlow = (sender: RemoteInfo) => Promise<FlowTunnel>;

/**
 * A flow that carried nothing for this long ends; the sender's next datagram opens a new
 * one. A minute, about what connection trackers give a UDP flow that had replies.
 */
export const FLOW_IDLE_MS = 60_000;
/** Datagrams a new flow holds while its tunnel opens; past them it drops. */
export const OPENING_BACKLOG = 64;

interface Flow {
	relay: DatagramRelay | null;
	waiting: Buffer[];
	lastActive: number;
	timer: NodeJS.Timeout | null;
}

/** What the flows of one UDP socket carried: the relays' counts, and the flows themselves. */
export interface FlowCounts extends DatagramCounts {
	flows: number;
	activeFlows: number;
}

/**
 * The flows of a UDP socket that many senders reach (an agent's container port, an
 * outbound address): each sender (address and port) gets a tunnel of its own, so its
 * datagrams reach the other side from a socket of their own and the replies come back to
 * it alone. A flow ends when it has been idle `idleMs` or its tunnel closed.
 */
export class DatagramFlows {
	private readonly flows = new Map<string, Flow>();
	private readonly ended = noCounts();
	private total = 0;
	/** Datagrams dropped while their flow's tunnel was opening or could not be opened. */
	private openingDropped = 0;

	constructor(private readonly socket: UdpSocket, private readonly open: OpenFlow, private readonly idleMs = FLOW_IDLE_MS) {
		socket.on('message', (datagram, sender) => this.fromSender(datagram, sender));
	}

	counts(): FlowCounts {
		const live = [...this.flows.values()].flatMap((f) => (f.relay ? [f.relay.counts] : []));
		const counts = live.reduce(addCounts, { ...this.ended });
		return { ...counts, backlog: counts.backlog + this.openingDropped, flows: this.total, activeFlows: this.flows.size };
	}

	/** Ends every flow; the socket is the owner's to close. */
	close(): void {
		for (const [key, flow] of [...this.flows]) {
			flow.relay?.end();
			this.forget(key, flow);
		}
	}

	private fromSender(datagram: Buffer, sender: RemoteInfo): void {
		const key = `${sender.address}|${sender.port}`;
		const flow = this.flows.get(key) ?? this.start(key, sender);
		flow.lastActive = Date.now();
		if (flow.relay) flow.relay.send(datagram);
		else if (flow.waiting.length < OPENING_BACKLOG) flow.waiting.push(datagram);
		else this.openingDropped++;
	}

	private start(key: string, sender: RemoteInfo): Flow {
		const flow: Flow = { relay: null, waiting: [], lastActive: Date.now(), timer: null };
		this.flows.set(key, flow);
		this.total++;
		this.watchIdle(key, flow);
		this.open(sender).then((tunnel) => {
			if (this.flows.get(key) !== flow) {
				tunnel.socket.destroy();
				return;
			}
			const relay = new DatagramRelay(tunnel.socket, tunnel.head, sinkTo(this.socket, sender.port, sender.address));
			flow.relay = relay;
			relay.onClose(() => this.forget(key, flow));
			for (const datagram of flow.waiting.splice(0)) relay.send(datagram);
		}, () => this.forget(key, flow));
		return flow;
	}

	private watchIdle(key: string, flow: Flow): void {
		const last = Math.max(flow.lastActive, flow.relay?.lastActive ?? 0);
		const left = last + this.idleMs - Date.now();
		if (left > 0) {
			flow.timer = setTimeout(() => this.watchIdle(key, flow), left).unref();
			return;
		}
		flow.relay?.end();
		this.forget(key, flow);
	}

	private forget(key: string, flow: Flow): void {
		if (flow.timer) clearTimeout(flow.timer);
		flow.timer = null;
		if (this.flows.get(key) !== flow) return;
		this.flows.delete(key);
		if (flow.relay) addCounts(this.ended, flow.relay.counts);
		this.openingDropped += flow.waiting.length;
		flow.waiting = [];
	}
}
