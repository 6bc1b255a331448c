import { Duplex, type DuplexOptions } from 'node:stream';
import WebSocket from 'ws';

/** Past this much queued for the API server, writers wait: memory stays bounded. */
const SEND_BUFFER_LIMIT = 1 << 20;

/**
 * What a stream over a port-forward WebSocket shares, whatever its messages mean: reading
 * resumes the WebSocket a slow reader paused, writers wait while the API server has not
 * taken what was sent, and the ends close or drop the WebSocket.
 */
export abstract class WebSocketDuplex extends Duplex {
	constructor(protected readonly ws: WebSocket, options: DuplexOptions) {
		super(options);
		ws.on('error', (error) => this.destroy(error));
	}

	override _read(): void {
		this.ws.resume();
	}

	protected sendMessage(message: Buffer, callback: (error?: Error | null) => void): void {
		if (this.ws.readyState !== WebSocket.OPEN) {
			callback(new Error('port-forward closed'));
			return;
		}
		if (this.ws.bufferedAmount < SEND_BUFFER_LIMIT) {
			this.ws.send(message);
			callback();
		} else {
			this.ws.send(message, callback);
		}
	}

	/** The WebSocket has no half-close: ending the stream closes it after what was queued. */
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
