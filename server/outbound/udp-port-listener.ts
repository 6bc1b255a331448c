import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { DatagramFlows } from '../../agent/src/contract/datagram-flows.js';
import type { Logger } from '../log/logger.js';
import { portToTry, type BoundPort } from './bind-port.js';
import type { Dial, ListenerCounters } from './port-listener.js';

/** A UDP port's counters: the TCP ones (a flow counts as a connection) and the datagrams. */
export interface UdpListenerCounters extends ListenerCounters {
	datagrams: { out: number; in: number; droppedOversize: number; droppedBacklog: number };
}

/**
 * One UDP port of a service on its local address: each local sender (address and port)
 * gets a flow of its own, a tunnel through an agent that sends its datagrams from a socket
 * of its own inside the cluster, so the service's replies find their way back to that
 * sender. A flow idle for a minute ends; the sender's next datagram opens a new one.
 */
export class UdpPortListener {
	private socket: UdpSocket | null = null;
	private flows: DatagramFlows | null = null;

	constructor(private readonly dials: string, private readonly dialPort: number, private readonly dial: Dial, private readonly logger: Logger) {}

	/** Binds `address:port`; rejects with the system error (EADDRINUSE, EACCES) so the caller can choose. */
	listen(address: string, port: number): Promise<void> {
		const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
		return new Promise((resolve, reject) => {
			socket.once('error', reject);
			socket.bind({ address, port, exclusive: true }, () => {
				socket.off('error', reject);
				// A send that fails is a lost datagram; the socket stays up.
				socket.on('error', () => undefined);
				this.socket = socket;
				this.flows = new DatagramFlows(socket, () => this.dial(this.dials, this.dialPort, 'udp').catch((error: Error) => {
					this.logger.debug('outbound', `a UDP flow to ${this.dials}:${this.dialPort} failed`, { error: error.message });
					throw error;
				}));
				resolve();
			});
		});
	}

	/** The port it listens on; 0 before it does. */
	get port(): number {
		return this.socket?.address().port ?? 0;
	}

	counters(): UdpListenerCounters {
		const c = this.flows?.counts();
		return {
			connections: c?.flows ?? 0, activeConnections: c?.activeFlows ?? 0, bytesOut: c?.bytesSent ?? 0, bytesIn: c?.bytesReceived ?? 0,
			datagrams: { out: c?.sent ?? 0, in: c?.received ?? 0, droppedOversize: c?.oversize ?? 0, droppedBacklog: c?.backlog ?? 0 },
		};
	}

	/** Ends every flow and stops listening: UDP has no connection to let finish. */
	close(): Promise<void> {
		this.flows?.close();
		const socket = this.socket;
		this.socket = null;
		if (!socket) return Promise.resolve();
		return new Promise((resolve) => socket.close(() => resolve()));
	}

	drain(): Promise<void> {
		return this.close();
	}
}

/**
 * Binds a UDP listener as `bindPort` binds a TCP one, without the holder lookup (that
 * reads TCP listeners): a low port this process may not bind moves as a TCP one does,
 * and a port another socket holds gives way to one the system picks.
 */
export async function bindUdpPort(listener: UdpPortListener, address: string, port: number, label: string, anyPort: boolean): Promise<BoundPort> {
	const { wanted, lowNote } = portToTry(port, label, '/udp');
	try {
		await listener.listen(address, wanted);
		return { localPort: wanted, note: lowNote && `${lowNote}; it listens on ${address}:${wanted}/udp.` };
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
	}
	await listener.listen(address, 0);
	const other = listener.port;
	return { localPort: other, note: anyPort ? null : `${address}:${wanted}/udp is taken; ${label} port ${port}/udp listens on ${address}:${other} instead.` };
}
