import type { Socket as UdpSocket } from 'node:dgram';
import type { Duplex } from 'node:stream';
import { DatagramDeframer, frameDatagram } from './datagram-frames.js';

/**
 * How much a relay lets wait before it drops instead: UDP never queues without bound, and a
 * datagram late by seconds is worth less than one on time.
 */
export interface RelayLimits {
	/** Bytes written to the tunnel and not yet sent on. */
	tunnelBytes: number;
	/** Datagrams handed to the UDP socket and not yet sent. */
	socketDatagrams: number;
}

export const RELAY_LIMITS: RelayLimits = { tunnelBytes: 256 * 1024, socketDatagrams: 256 };

/** What a relay (or every flow of a port) carried and dropped. */
export interface DatagramCounts {
	/** Datagrams from the UDP side into the tunnel, and their bytes. */
	sent: number;
	bytesSent: number;
	/** Datagrams out of the tunnel handed to the UDP side, and their bytes. */
	received: number;
	bytesReceived: number;
	/** Dropped for being larger than a UDP datagram can be (either end). */
	oversize: number;
	/** Dropped because the tunnel or the UDP socket was backed up. */
	backlog: number;
}

export const noCounts = (): DatagramCounts => ({ sent: 0, bytesSent: 0, received: 0, bytesReceived: 0, oversize: 0, backlog: 0 });

const COUNT_KEYS = Object.keys(noCounts()) as (keyof DatagramCounts)[];

/** Adds the datagram counts of `more` into `into` (other fields of either are left alone). */
export function addCounts<T extends DatagramCounts>(into: T, more: DatagramCounts): T {
	for (const key of COUNT_KEYS) into[key] += more[key];
	return into;
}

/** Where the datagrams out of the tunnel go: a UDP socket, towards one peer. */
export interface DatagramSink {
	send(datagram: Buffer): void;
	/** Datagrams handed to the socket and not yet sent. */
	queued(): number;
}

/** A sink that sends to `port`:`address` from a socket that may serve other peers too. */
export function sinkTo(socket: UdpSocket, port?: number, address?: string): DatagramSink {
	// A failed send is a lost datagram, as on any UDP path; without a callback it would be an 'error' event.
	const sent = (): void => undefined;
	return {
		send: (datagram) => (port === undefined ? socket.send(datagram, sent) : socket.send(datagram, port, address, sent)),
		queued: () => socket.getSendQueueCount(),
	};
}

/**
 * One flow of datagrams over one tunnel, both ways. Datagram boundaries hold across the
 * stream (datagram-frames.ts); nothing waits without bound: a datagram finding the tunnel
 * or the UDP socket backed up past `limits` is dropped and counted, as a full buffer on a
 * UDP path drops it. The tunnel is read as fast as it delivers, so the stream under it
 * never stalls the datagrams behind a slow reader.
 */
export class DatagramRelay {
	private readonly deframer = new DatagramDeframer();
	private readonly counted = noCounts();
	/** When a datagram last went either way (ms since the epoch). */
	lastActive = Date.now();

	constructor(private readonly tunnel: Duplex, head: Buffer, private readonly sink: DatagramSink, private readonly limits = RELAY_LIMITS) {
		const take = (chunk: Buffer): void => {
			for (const datagram of this.deframer.push(chunk)) this.deliver(datagram);
		};
		if (head.length > 0) take(head);
		tunnel.on('data', take);
		// A tunnel handed over paused (the agent's pool pauses it) stays so until told.
		tunnel.resume();
		tunnel.on('error', () => tunnel.destroy());
		// Its end is the flow's end: the other side saw it go idle.
		tunnel.once('end', () => tunnel.end());
	}

	get counts(): DatagramCounts {
		return { ...this.counted, oversize: this.counted.oversize + this.deframer.oversize };
	}

	get closed(): boolean {
		return this.tunnel.destroyed || !this.tunnel.writable;
	}

	/** A datagram from the UDP side into the tunnel; false when it was dropped. */
	send(datagram: Buffer): boolean {
		this.lastActive = Date.now();
		const frame = frameDatagram(datagram);
		if (!frame) {
			this.counted.oversize++;
			return false;
		}
		if (this.closed || this.tunnel.writableLength > this.limits.tunnelBytes) {
			this.counted.backlog++;
			return false;
		}
		this.tunnel.write(frame);
		this.counted.sent++;
		this.counted.bytesSent += datagram.length;
		return true;
	}

	/** Ends the flow: what is written still goes, then the tunnel closes. */
	end(): void {
		this.tunnel.end();
	}

	onClose(listener: () => void): void {
		if (this.tunnel.destroyed) queueMicrotask(listener);
		else this.tunnel.once('close', listener);
	}

	private deliver(datagram: Buffer): void {
		this.lastActive = Date.now();
		if (this.sink.queued() >= this.limits.socketDatagrams) {
			this.counted.backlog++;
			return;
		}
		this.sink.send(datagram);
		this.counted.received++;
		this.counted.bytesReceived += datagram.length;
	}
}

/**
 * A flow whose UDP side is a socket of its own, connected to its one peer (the local
 * program, a service in the cluster): what the peer sends goes into the tunnel, and the
 * socket closes with the tunnel.
 */
export function relayOverSocket(tunnel: Duplex, head: Buffer, socket: UdpSocket): DatagramRelay {
	const relay = new DatagramRelay(tunnel, head, sinkTo(socket));
	socket.on('message', (datagram) => relay.send(datagram));
	// A connected socket reports the peer's "port unreachable" here; UDP carries on regardless.
	socket.on('error', () => undefined);
	relay.onClose(() => {
		try {
			socket.close();
		} catch {
			// Closed already.
		}
	});
	return relay;
}
