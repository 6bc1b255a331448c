import { EventEmitter } from 'node:events';
import { openPortForwardSocket, type ApiEndpoint } from './portforward-socket.js';
import { SpdySession } from './spdy/spdy-session.js';
import type { SpdyStream } from './spdy/spdy-stream.js';
import { WebSocketBytes } from './websocket-bytes.js';

/**
 * What kubectl asks for since Kubernetes 1.31: SPDY's port-forward protocol, carried as a
 * byte stream inside a WebSocket's binary messages; the API server hands it on to the
 * kubelet as SPDY.
 */
const SUBPROTOCOL = 'SPDY/3.1+portforward.k8s.io';
/** kubectl's ping period over the tunnel. */
const KEEP_ALIVE_MS = 10_000;

export interface PodTarget {
	namespace: string;
	pod: string;
}

/** The kubelet could not forward (nothing listens on the port, the pod is gone): its words from the error stream. */
export class ForwardFailed extends Error {
	constructor(readonly port: number, readonly text: string) {
		super(`port-forward to port ${port} failed: ${text.trim()}`);
		this.name = 'ForwardFailed';
	}
}

/**
 * One connection to a pod's port-forward endpoint that carries any number of forwarded
 * connections, each a pair of SPDY streams (data and error) as kubectl opens them. Its
 * 'close' event says the connection is gone; every forward on it ended with it.
 */
export class PortForwardSession extends EventEmitter {
	private nextRequestId = 0;

	private constructor(private readonly session: SpdySession) {
		super();
		session.on('close', (error: Error | null) => this.emit('close', error));
	}

	static async open(endpoint: ApiEndpoint, target: PodTarget, signal?: AbortSignal): Promise<PortForwardSession> {
		const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/portforward`;
		return openPortForwardSocket(endpoint, path, SUBPROTOCOL,
			(ws, connection) => new PortForwardSession(new SpdySession(new WebSocketBytes(ws, connection), { peerFlowControl: false, keepAliveMs: KEEP_ALIVE_MS })), signal);
	}

	get isOpen(): boolean {
		return this.session.isOpen;
	}

	/**
	 * A connection to `port` of the pod. The error stream carries nothing from here; what
	 * the kubelet writes on it fails the data stream, and the data stream's end waits for
	 * it, so a refused port reads as an error, not as an empty connection.
	 */
	async forward(port: number): Promise<SpdyStream> {
		const requestId = String(this.nextRequestId++);
		const headers = (type: string): Array<[string, string]> => [['streamtype', type], ['port', String(port)], ['requestid', requestId]];
		const errors = await this.session.openStream(headers('error'), { fin: true });
		const failure = kubeletError(errors, port);
		let data: SpdyStream | null = null;
		// Until the caller holds the stream, an error on it is this call's to throw.
		const quiet = (): void => undefined;
		try {
			data = await this.session.openStream(headers('data'), { endGate: failure });
			data.on('error', quiet);
			// Both SYN_STREAMs went out back to back: one round trip for the pair.
			await Promise.all([errors.replied, data.replied]);
			if (data.destroyed) throw data.errored ?? new ForwardFailed(port, 'the stream closed as it opened');
		} catch (error) {
			errors.destroy();
			data?.destroy();
			throw error;
		}
		const stream = data;
		stream.off('error', quiet);
		failure.then((error) => { if (error) stream.destroy(error); }, () => undefined);
		stream.once('close', () => errors.destroy());
		return stream;
	}

	/** Ends every forward and the connection. */
	close(): void {
		this.session.close();
	}
}

/** What the kubelet wrote on the error stream, once it closed it: null when nothing. */
function kubeletError(errors: SpdyStream, port: number): Promise<Error | null> {
	let text = '';
	// The data stream carries the session's failures to the caller; this one's would say the same.
	errors.on('error', () => undefined);
	errors.setEncoding('utf8');
	errors.on('data', (piece: string) => { text += piece; });
	return new Promise((resolve) => {
		errors.once('end', () => resolve(text ? new ForwardFailed(port, text) : null));
		errors.once('close', () => resolve(text ? new ForwardFailed(port, text) : null));
	});
}
