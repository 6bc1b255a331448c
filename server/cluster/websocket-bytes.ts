import type WebSocket from 'ws';
import { WebSocketDuplex } from './websocket-duplex.js';

/**
 * A WebSocket whose binary messages carry one byte stream, as the API server's SPDY
 * tunnel sends it: message boundaries mean nothing. Writes queued together go out as one
 * message.
 */
export class WebSocketBytes extends WebSocketDuplex {
	constructor(ws: WebSocket) {
		super(ws, { allowHalfOpen: false, writableHighWaterMark: 256 * 1024 });
		ws.on('message', (data: Buffer) => { if (!this.push(data)) ws.pause(); });
		ws.on('close', () => this.push(null));
	}

	override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		this.sendMessage(chunk, callback);
	}

	override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
		this.sendMessage(chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map(({ chunk }) => chunk)), callback);
	}
}
