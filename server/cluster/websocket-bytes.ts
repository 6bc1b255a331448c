import { Duplex } from 'node:stream';
import WebSocket from 'ws';

/** Past this much queued for the API server, writers wait: memory stays bounded. */
const SEND_BUFFER_LIMIT = 1 << 20;

/**
 * A WebSocket whose binary messages carry one byte stream, as the API server's SPDY
 * tunnel sends it: message boundaries mean nothing. Reading pauses the WebSocket when the
 * reader is slow; writes queued together go out as one message.
 */
export class WebSocketBytes extends Duplex {
	constructor(private readonly ws: WebSocket) {
		super({ allowHalfOpen: false, writableHighWaterMark: 256 * 1024 });
		ws.on('message', (data: Buffer) => { if (!this.push(data)) ws.pause(); });
		ws.on('close', () => this.push(null));
		ws.on('error', (error) => this.destroy(error));
	}

	override _read(): void {
		this.ws.resume();
	}

	override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		this.send(chunk, callback);
	}

	override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
		this.send(chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map(({ chunk }) => chunk)), callback);
	}

	private send(message: Buffer, callback: (error?: Error | null) => void): void {
		if (this.ws.readyState !== WebSocket.OPEN) {
			callback(new Error('the WebSocket closed'));
			return;
		}
		if (this.ws.bufferedAmount < SEND_BUFFER_LIMIT) {
			this.ws.send(message);
			callback();
		} else {
			this.ws.send(message, callback);
		}
	}

	override _final(callback: (error?: Error | null) => void): void {
		if (this.ws.readyState === WebSocket.OPEN) this.ws.close();
		callback();
	}

	/** A paused WebSocket would never read the peer's close frame: a destroyed stream just drops the connection. */
	override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
		if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
		callback(error);
	}
}
