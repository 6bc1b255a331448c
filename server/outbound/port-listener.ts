import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex, Transform } from 'node:stream';
import { spliceSocket } from '../../agent/src/contract/handoff.js';
import type { Logger } from '../log/logger.js';

/** A tunnel to `host:port` in the cluster, switched and ready for bytes. */
export interface DialledTunnel {
	socket: Duplex;
	head: Buffer;
}

/** Opens a tunnel to `host:port` in the cluster: a TCP connection, or with `udp` a flow of datagrams. */
export type Dial = (host: string, port: number, transport?: 'udp') => Promise<DialledTunnel>;

/** What rewrites the bytes a local program sends on one connection before they enter the tunnel (header routing's propagation). */
export type OutgoingRewrite = () => Transform;

export interface ListenerCounters {
	connections: number;
	activeConnections: number;
	bytesOut: number;
	bytesIn: number;
}

/**
 * One port of a service on its local address: each connection gets a tunnel of its own
 * through an agent, which dials the service in the cluster. A connection the cluster side
 * refuses is reset, as a refused connection would be in the cluster.
 */
export class PortListener {
	private readonly server: Server;
	private readonly live = new Set<Socket>();
	private connections = 0;
	private closedOut = 0;
	private closedIn = 0;

	constructor(private readonly dials: string, private readonly dialPort: number, private readonly dial: Dial, private readonly logger: Logger,
		private readonly rewrite?: OutgoingRewrite) {
		this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.serve(socket));
	}

	/** Binds `address:port`; rejects with the system error (EADDRINUSE, EACCES) so the caller can choose. */
	listen(address: string, port: number): Promise<void> {
		return new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen({ host: address, port, exclusive: true }, () => {
				this.server.off('error', reject);
				resolve();
			});
		});
	}

	counters(): ListenerCounters {
		const live = [...this.live];
		return {
			connections: this.connections,
			activeConnections: live.length,
			bytesOut: this.closedOut + live.reduce((sum, s) => sum + s.bytesRead, 0),
			bytesIn: this.closedIn + live.reduce((sum, s) => sum + s.bytesWritten, 0),
		};
	}

	/** Stops listening and resets the connections still open: the session that carried them is over. */
	close(): Promise<void> {
		for (const socket of this.live) socket.resetAndDestroy();
		return this.drain();
	}

	/**
	 * Stops listening but lets the connections still open finish, as a pod's connections to
	 * a Service outlive the Service; resolves once the last one has.
	 */
	drain(): Promise<void> {
		return new Promise((resolve) => this.server.close(() => resolve()));
	}

	private serve(socket: Socket): void {
		this.connections++;
		this.live.add(socket);
		socket.on('error', () => undefined);
		socket.once('close', () => {
			this.live.delete(socket);
			this.closedOut += socket.bytesRead;
			this.closedIn += socket.bytesWritten;
		});
		this.dial(this.dials, this.dialPort).then((tunnel) => {
			if (socket.destroyed) tunnel.socket.destroy();
			else spliceSocket(socket, tunnel.socket, tunnel.head, this.rewrite?.());
		}, (error: Error) => {
			this.logger.debug('outbound', `dialling ${this.dials}:${this.dialPort} failed`, { error: error.message });
			socket.resetAndDestroy();
		});
	}
}
