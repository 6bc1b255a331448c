import { Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';

/**
 * HTTP/1.1 chunked transfer coding (RFC 9112 §7.1) for one direction of a tunnel. The
 * last chunk marks the end of that direction, which a bare WebSocket forward cannot
 * carry: it is how a half-close crosses the tunnel.
 */
export class ChunkedEncoder extends Transform {
	/**
	 * One buffer per chunk: pushed as three pieces, each chunk became three socket writes
	 * in the agent and three WebSocket frames in the sidecar.
	 */
	override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
		if (chunk.length === 0) return callback();
		const size = `${chunk.length.toString(16)}\r\n`;
		const framed = Buffer.allocUnsafe(size.length + chunk.length + 2);
		framed.write(size, 0, 'latin1');
		chunk.copy(framed, size.length);
		framed.write('\r\n', size.length + chunk.length, 'latin1');
		callback(null, framed);
	}

	override _flush(callback: TransformCallback): void {
		callback(null, '0\r\n\r\n');
	}
}

const CRLF = Buffer.from('\r\n', 'latin1');
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');

/**
 * The chunked coding of `source` written straight to `sink`, without copying a byte: each
 * chunk's size line, data and CRLF are written corked, so a socket sends them in one
 * writev and a forward in one frame (`ChunkedEncoder` copied each chunk into a new buffer
 * first). The source pauses while the sink is full. `onLast` runs once the last chunk is
 * written, after the source ended.
 */
export function pipeChunked(source: Readable, sink: Writable, onLast: () => void): void {
	source.on('data', (chunk: Buffer) => {
		if (chunk.length === 0 || sink.destroyed) return;
		sink.cork();
		sink.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
		sink.write(chunk);
		const room = sink.write(CRLF);
		sink.uncork();
		if (room) return;
		source.pause();
		sink.once('drain', () => source.resume());
	});
	source.once('end', () => {
		if (!sink.destroyed) sink.write(LAST_CHUNK);
		onLast();
	});
	// As `pipe` does: a socket nobody read yet starts flowing.
	source.resume();
}

const MAX_LINE = 4096;
type State = 'size' | 'data' | 'dataEnd' | 'trailer' | 'done';

/** Reads the chunked coding back into bytes; it ends at the last chunk, and fails on anything else. */
export class ChunkedDecoder extends Transform {
	private state: State = 'size';
	private line = '';
	private remaining = 0;

	get finished(): boolean { return this.state === 'done'; }

	override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
		let at = 0;
		while (at < chunk.length) {
			if (this.state === 'done') return callback(new Error('bytes after the last chunk'));
			if (this.state === 'data') {
				const take = Math.min(this.remaining, chunk.length - at);
				this.push(chunk.subarray(at, at + take));
				at += take;
				this.remaining -= take;
				if (this.remaining === 0) this.state = 'dataEnd';
				continue;
			}
			const newline = chunk.indexOf(0x0a, at);
			const end = newline < 0 ? chunk.length : newline;
			this.line += chunk.toString('latin1', at, end);
			at = newline < 0 ? chunk.length : newline + 1;
			if (this.line.length > MAX_LINE) return callback(new Error('chunk line too long'));
			if (newline < 0) break;
			const line = this.line.replace(/\r$/, '');
			this.line = '';
			const error = this.onLine(line);
			if (error) return callback(error);
		}
		callback();
	}

	private onLine(line: string): Error | null {
		switch (this.state) {
			case 'size': {
				const size = /^([0-9a-fA-F]+)(;.*)?$/.exec(line);
				if (!size) return new Error(`bad chunk size line '${line.slice(0, 40)}'`);
				this.remaining = parseInt(size[1]!, 16);
				this.state = this.remaining === 0 ? 'trailer' : 'data';
				return null;
			}
			case 'dataEnd':
				if (line !== '') return new Error('chunk data longer than its size');
				this.state = 'size';
				return null;
			case 'trailer':
				if (line === '') {
					this.state = 'done';
					this.push(null);
				}
				return null;
			default:
				return null;
		}
	}

	override _flush(callback: TransformCallback): void {
		callback(this.state === 'done' ? null : new Error('the tunnel closed before the last chunk'));
	}
}
