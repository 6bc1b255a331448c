import type { Duplex } from 'node:stream';
import { openForward, type ApiEndpoint, type ForwardTarget } from './port-forward.js';
import { PortForwardSession, type PodTarget } from './port-forward-session.js';
import { ForwardRefused } from './portforward-socket.js';

/** A pod's session with no connection on it for this long is closed; the next connection opens one again. */
const IDLE_MS = 30_000;

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
	readonly isOpen: boolean;
	forward(port: number): Promise<Duplex>;
	close(): void;
	once(event: 'close', listener: () => void): unknown;
}

export interface Transports {
	session(target: PodTarget): Promise<StreamSession>;
	forward(target: ForwardTarget, signal?: AbortSignal): Promise<Duplex>;
}

interface Entry {
	session: Promise<StreamSession>;
	connections: number;
	idle: NodeJS.Timeout | null;
}

/**
 * Connections into pods as kubectl makes them: one port-forward session per pod (a
 * WebSocket carrying SPDY), every connection a pair of streams inside it. Opening one costs
 * a round trip instead of a TLS handshake and an upgrade, and the kubelet's side copies it
 * at half the cost of a WebSocket forward's channels. An API server that does not speak
 * SPDY over WebSocket (older than 1.31, or a proxy in between that drops the subprotocol)
 * gets a WebSocket forward per connection from then on.
 *
 * The kubelet keeps no SPDY flow control: a stream whose reader falls 2 MiB behind stops
 * the whole session's reading until it is read, so what must stay responsive while a
 * local reader is slow (the agents' events and heartbeats) goes over forwards of its own.
 */
export class PodStreams implements Forwarder {
	private readonly sessions = new Map<string, Entry>();
	private spdySpoken = true;
	private closed = false;

	constructor(private readonly transports: Transports, private readonly idleMs = IDLE_MS) {}

	static over(endpoint: ApiEndpoint): PodStreams {
		return new PodStreams({
			session: (target) => PortForwardSession.open(endpoint, target),
			forward: (target, signal) => openForward(endpoint, target, signal),
		});
	}

	async open(target: ForwardTarget, signal?: AbortSignal): Promise<Duplex> {
		if (this.closed) throw new Error('the session\'s forwards are closed');
		if (!this.spdySpoken) return this.transports.forward(target, signal);
		const key = `${target.namespace}/${target.pod}`;
		let entry = this.sessions.get(key);
		const reused = entry !== undefined;
		entry ??= this.start(key, target);
		let session: StreamSession;
		try {
			session = await abortable(entry.session, signal);
		} catch (error) {
			if (!(error instanceof ForwardRefused)) throw error;
			// Either the subprotocol was refused or any forward would be (no permission, pod
			// gone): a WebSocket forward tells which, and its own refusal is the caller's error.
			const forward = await this.transports.forward(target, signal);
			this.spdySpoken = false;
			return forward;
		}
		if (!session.isOpen && reused) {
			this.drop(key, entry);
			return this.open(target, signal);
		}
		return this.connect(key, entry, session, target.port, signal);
	}

	/** Ends every session and the connections on them. */
	close(): void {
		this.closed = true;
		for (const [key, entry] of [...this.sessions]) this.drop(key, entry);
	}

	private start(key: string, target: ForwardTarget): Entry {
		// Shared by every caller that asks meanwhile, so no one caller's abort may cancel it.
		const entry: Entry = { session: this.transports.session({ namespace: target.namespace, pod: target.pod }), connections: 0, idle: null };
		this.sessions.set(key, entry);
		entry.session.then((session) => {
			if (this.sessions.get(key) !== entry) session.close();
			else session.once('close', () => { if (this.sessions.get(key) === entry) this.drop(key, entry); });
		}, () => { if (this.sessions.get(key) === entry) this.sessions.delete(key); });
		return entry;
	}

	private async connect(key: string, entry: Entry, session: StreamSession, port: number, signal?: AbortSignal): Promise<Duplex> {
		entry.connections++;
		if (entry.idle) clearTimeout(entry.idle);
		entry.idle = null;
		let stream: Duplex;
		try {
			stream = await abortable(session.forward(port), signal, (late) => late.destroy());
		} catch (error) {
			this.release(key, entry);
			throw error;
		}
		stream.once('close', () => this.release(key, entry));
		return stream;
	}

	private release(key: string, entry: Entry): void {
		entry.connections--;
		if (entry.connections > 0 || this.sessions.get(key) !== entry) return;
		entry.idle = setTimeout(() => this.drop(key, entry), this.idleMs).unref();
	}

	private drop(key: string, entry: Entry): void {
		if (this.sessions.get(key) === entry) this.sessions.delete(key);
		if (entry.idle) clearTimeout(entry.idle);
		entry.idle = null;
		entry.session.then((session) => session.close(), () => undefined);
	}
}

/** `pending`, or the abort's reason once `signal` fires first; what arrives after an abort goes to `discard`. */
function abortable<T>(pending: Promise<T>, signal: AbortSignal | undefined, discard: (late: T) => void = () => undefined): Promise<T> {
	if (!signal) return pending;
	if (signal.aborted) {
		pending.then(discard, () => undefined);
		return Promise.reject(new Error('aborted'));
	}
	return new Promise((resolve, reject) => {
		const abort = (): void => {
			pending.then(discard, () => undefined);
			reject(new Error('aborted'));
		};
		signal.addEventListener('abort', abort, { once: true });
		pending.then((value) => {
			signal.removeEventListener('abort', abort);
			if (signal.aborted) return;
			resolve(value);
		}, (error: Error) => {
			signal.removeEventListener('abort', abort);
			reject(error);
		});
	});
}
