import type { Duplex } from 'node:stream';
import { openForward, type ApiEndpoint, type ForwardTarget } from './port-forward.js';
import { PortForwardSession, type PodTarget } from './port-forward-session.js';
import { ForwardRefused } from './portforward-socket.js';

/** Opens connections into pods; what the tunnels and dials take their connections from. */
export interface Forwarder {
	open(target: ForwardTarget, signal?: AbortSignal): Promise<Duplex>;
}

/** A WebSocket port-forward per connection: each its own TLS connection and upgrade. */
export function webSocketForwarder(endpoint: ApiEndpoint): Forwarder {
	return { open: (target, signal) => openForward(endpoint, target, signal) };
}

/** What `PodStreams` asks of a session: the seam its unit tests fake. */
export interface StreamSession {
	forward(port: number): Promise<Duplex>;
	close(): void;
	once(event: 'close', listener: () => void): unknown;
}

export interface Transports {
	session(target: PodTarget, signal?: AbortSignal): Promise<StreamSession>;
	forward(target: ForwardTarget, signal?: AbortSignal): Promise<Duplex>;
}

/**
 * Connections into pods in kubectl's stream shape: a port-forward session (a WebSocket
 * carrying SPDY) with a data and an error stream in it, which the kubelet's side copies at
 * half the CPU of a WebSocket forward's channels. Each connection gets a session of its
 * own, unlike kubectl's one per pod: the kubelet keeps no SPDY flow control, so one stream
 * whose reader stops (a caller in the cluster that reads slowly) stops the kubelet reading
 * the whole session, and every other connection on it with it, until it is read. The
 * handshake a session costs is hidden by the tunnels and dials opened ahead of need. An API
 * server that does not speak SPDY over WebSocket (older than 1.31, or a proxy in between
 * that drops the subprotocol) gets a WebSocket forward per connection from then on.
 */
export class PodStreams implements Forwarder {
	private readonly sessions = new Set<StreamSession>();
	private spdySpoken = true;
	private closed = false;

	constructor(private readonly transports: Transports) {}

	static over(endpoint: ApiEndpoint): PodStreams {
		return new PodStreams({
			session: (target, signal) => PortForwardSession.open(endpoint, target, signal),
			forward: (target, signal) => openForward(endpoint, target, signal),
		});
	}

	async open(target: ForwardTarget, signal?: AbortSignal): Promise<Duplex> {
		if (this.closed) throw new Error('the session\'s forwards are closed');
		if (!this.spdySpoken) return this.transports.forward(target, signal);
		let session: StreamSession;
		try {
			session = await this.transports.session({ namespace: target.namespace, pod: target.pod }, signal);
		} catch (error) {
			if (!(error instanceof ForwardRefused)) throw error;
			// Either the subprotocol was refused or any forward would be (no permission, pod
			// gone): a WebSocket forward tells which, and its own refusal is the caller's error.
			const forward = await this.transports.forward(target, signal);
			this.spdySpoken = false;
			return forward;
		}
		if (this.closed) {
			session.close();
			throw new Error('the session\'s forwards are closed');
		}
		this.sessions.add(session);
		session.once('close', () => this.sessions.delete(session));
		try {
			const stream = await abortable(session.forward(target.port), signal);
			stream.once('close', () => session.close());
			return stream;
		} catch (error) {
			session.close();
			throw error;
		}
	}

	/** Ends every session and the connection on each. */
	close(): void {
		this.closed = true;
		for (const session of [...this.sessions]) session.close();
	}
}

/** `pending`, or the abort's reason once `signal` fires first. */
function abortable<T>(pending: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
	if (!signal) return pending;
	if (signal.aborted) return Promise.reject(new Error('aborted'));
	return new Promise((resolve, reject) => {
		const abort = (): void => reject(new Error('aborted'));
		signal.addEventListener('abort', abort, { once: true });
		pending.then((value) => {
			signal.removeEventListener('abort', abort);
			resolve(value);
		}, (error: Error) => {
			signal.removeEventListener('abort', abort);
			reject(error);
		});
	});
}
