import type WebSocket from 'ws';
import { openPortForwardSocket, type ApiEndpoint } from './portforward-socket.js';
import { WebSocketDuplex } from './websocket-duplex.js';

/** The port-forward subprotocol: channel 0 carries data, channel 1 the kubelet's errors. */
const SUBPROTOCOL = 'v4.channel.k8s.io';
const DATA = 0;
const ERROR = 1;

export interface ForwardTarget {
	namespace: string;
	pod: string;
	port: number;
}

export type { ApiEndpoint } from './portforward-socket.js';

/**
 * One TCP connection into a pod through the API server's `pods/portforward`, as a Node
 * stream. client-node's PortForward ignores backpressure both ways (it grew past 200 MB
 * here); this one pauses the WebSocket when the reader is slow and holds writers back
 * while the API server has not taken what was sent.
 */
class ForwardStream extends WebSocketDuplex {
	private readonly headerSeen = [false, false];
	private errorText = '';

	constructor(ws: WebSocket) {
		super(ws, { allowHalfOpen: false });
		ws.on('message', (data: Buffer) => this.onMessage(data));
		ws.on('close', () => this.onClose());
	}

	private onMessage(data: Buffer): void {
		const channel = data[0];
		if (channel !== DATA && channel !== ERROR) return;
		// Each channel's first message is the port number, not payload.
		if (!this.headerSeen[channel]) {
			this.headerSeen[channel] = true;
			return;
		}
		if (channel === ERROR) {
			this.errorText += data.subarray(1).toString('utf8');
			return;
		}
		if (!this.push(data.subarray(1))) this.ws.pause();
	}

	private onClose(): void {
		if (this.errorText) this.destroy(new Error(`port-forward failed: ${this.errorText.trim()}`));
		else this.push(null);
	}

	override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		this.sendData([chunk], chunk.length, callback);
	}

	/** Writes queued together (a corked chunk's size line, data and CRLF) go out as one message. */
	override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
		this.sendData(chunks.map(({ chunk }) => chunk), chunks.reduce((sum, { chunk }) => sum + chunk.length, 0), callback);
	}

	/** The one copy of the payload: into a message behind its channel byte. */
	private sendData(chunks: Buffer[], length: number, callback: (error?: Error | null) => void): void {
		const frame = Buffer.allocUnsafe(length + 1);
		frame[0] = DATA;
		let at = 1;
		for (const chunk of chunks) at += chunk.copy(frame, at);
		this.sendMessage(frame, callback);
	}
}

/** Opens a forward to `target` and resolves once the API server and kubelet accepted it. */
export async function openForward(endpoint: ApiEndpoint, target: ForwardTarget, signal?: AbortSignal): Promise<ForwardStream> {
	const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/portforward?ports=${target.port}`;
	return openPortForwardSocket(endpoint, path, SUBPROTOCOL, (ws) => new ForwardStream(ws), signal);
}
