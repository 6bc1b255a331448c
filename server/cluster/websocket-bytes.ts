import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { WebSocketDuplex } from './websocket-duplex.js';

/**
 * Below this a piece queued for sending is joined with its neighbours into one message;
 * from it on it is a message of its own, sent as it is: a SPDY data frame's payload is not
 * copied just to sit behind its 8-byte header and a chunk's size line.
 */
const JOIN_BELOW = 4096;

/**
 * A WebSocket whose binary messages carry one byte stream, as the API server's SPDY
 * tunnel sends it: message boundaries mean nothing. Writes queued together go out in one
 * write of `connection` (the socket under the WebSocket), small ones joined into a message,
 * large ones each a message of its own.
 */
export class WebSocketBytes extends WebSocketDuplex {
	constructor(ws: WebSocket, private readonly connection?: Duplex) {
		super(ws, { allowHalfOpen: false, writableHighWaterMark: 256 * 1024 });
		ws.on('message', (data: Buffer) => { if (!this.push(data)) ws.pause(); });
		ws.on('close', () => this.push(null));
	}

	override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		this.sendMessage(chunk, callback);
	}

	override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
		const messages: Buffer[] = [];
		let joined: Buffer[] = [];
		let joinedLength = 0;
		const join = (): void => {
			if (joined.length === 0) return;
			messages.push(joined.length === 1 ? joined[0] : Buffer.concat(joined, joinedLength));
			joined = [];
			joinedLength = 0;
		};
		for (const { chunk } of chunks) {
			if (chunk.length >= JOIN_BELOW) {
				join();
				messages.push(chunk);
			} else {
				joined.push(chunk);
				joinedLength += chunk.length;
			}
		}
		join();
		this.connection?.cork();
		const last = messages.length - 1;
		for (let i = 0; i < last; i++) this.sendMessage(messages[i], () => undefined);
		this.sendMessage(messages[last], callback);
		this.connection?.uncork();
	}
}
