import { Transform, type TransformCallback } from 'node:stream';

const MAX_HEAD = 64 * 1024;
const REQUEST_LINE = /^[A-Z][A-Z-]{0,19} \S+ HTTP\/1\.[01]$/;

type State =
	| { in: 'head' }
	| { in: 'body'; left: number }
	| { in: 'chunkSize'; line: string }
	| { in: 'chunkData'; left: number }
	| { in: 'trailer'; line: string }
	/** Not HTTP/1 (HTTP/2, TLS, another protocol), an upgraded connection, or a head too large: bytes as they are. */
	| { in: 'through' };

/**
 * The bytes a local program sends to a cluster service, with `name: value` added to each
 * HTTP/1.x request that does not carry the header already: a request chain started on the
 * developer's machine stays on the developer's route. Requests are found one by one on a
 * keep-alive connection (Content-Length and chunked bodies are counted, not parsed); a
 * connection that does not start with a request line, and an upgraded one, passes as is.
 */
export class HeaderInserter extends Transform {
	private state: State = { in: 'head' };
	private head = Buffer.alloc(0);
	private readonly line: Buffer;
	private readonly lowerName: string;

	constructor(name: string, value: string) {
		super();
		this.lowerName = name.toLowerCase();
		this.line = Buffer.from(`${name}: ${value}\r\n`, 'latin1');
	}

	override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
		let data = chunk;
		while (data.length > 0) data = this.step(data);
		callback();
	}

	override _flush(callback: TransformCallback): void {
		if (this.head.length > 0) this.push(this.head);
		callback();
	}

	/** Consumes what it can of `data` in the current state; returns the rest. */
	private step(data: Buffer): Buffer {
		const state = this.state;
		switch (state.in) {
			case 'through':
				this.push(data);
				return Buffer.alloc(0);
			case 'head':
				return this.readHead(data);
			case 'body': {
				const take = Math.min(state.left, data.length);
				this.push(data.subarray(0, take));
				state.left -= take;
				if (state.left === 0) this.state = { in: 'head' };
				return data.subarray(take);
			}
			case 'chunkData': {
				const take = Math.min(state.left, data.length);
				this.push(data.subarray(0, take));
				state.left -= take;
				if (state.left === 0) this.state = { in: 'chunkSize', line: '' };
				return data.subarray(take);
			}
			case 'chunkSize':
			case 'trailer': {
				const end = data.indexOf(0x0a);
				const piece = data.subarray(0, end < 0 ? data.length : end + 1);
				this.push(piece);
				state.line += piece.toString('latin1');
				if (end < 0) return Buffer.alloc(0);
				const line = state.line.replace(/\r?\n$/, '');
				if (state.in === 'trailer') {
					this.state = line === '' ? { in: 'head' } : { in: 'trailer', line: '' };
				} else if (line === '') {
					// The CRLF that ends a chunk's data.
					state.line = '';
				} else {
					const size = parseInt(line.split(';')[0]!, 16);
					this.state = Number.isNaN(size) ? { in: 'through' } : size === 0 ? { in: 'trailer', line: '' } : { in: 'chunkData', left: size };
				}
				return data.subarray(piece.length);
			}
		}
	}

	private readHead(data: Buffer): Buffer {
		this.head = Buffer.concat([this.head, data]);
		const firstLine = this.head.indexOf('\r\n');
		const start = (firstLine >= 0 ? this.head.subarray(0, firstLine) : this.head).toString('latin1');
		// Until the request line is whole, only what could still become one waits for more.
		if (firstLine >= 0 ? !REQUEST_LINE.test(start) : !/^[A-Z][A-Z-]{0,19}( \S*( \S*)?)?\r?$/.test(start)) return this.passAll();
		const end = this.head.indexOf('\r\n\r\n');
		if (end < 0) return this.head.length > MAX_HEAD ? this.passAll() : Buffer.alloc(0);
		const headText = this.head.subarray(0, end).toString('latin1');
		const rest = this.head.subarray(end + 4);
		this.head = Buffer.alloc(0);
		const fields = headText.split('\r\n').slice(1).map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const);
		const has = fields.some(([n]) => n === this.lowerName);
		this.push(Buffer.from(`${headText}\r\n`, 'latin1'));
		if (!has) this.push(this.line);
		this.push(Buffer.from('\r\n', 'latin1'));
		const value = (name: string) => fields.filter(([n]) => n === name).map(([, v]) => v.toLowerCase()).join(',');
		const method = headText.slice(0, headText.indexOf(' '));
		if (value('upgrade') || method === 'CONNECT') this.state = { in: 'through' };
		else if (/(^|,)\s*chunked\s*$/.test(value('transfer-encoding'))) this.state = { in: 'chunkSize', line: '' };
		else {
			const length = Number(value('content-length') || 0);
			this.state = Number.isFinite(length) && length > 0 ? { in: 'body', left: length } : { in: 'head' };
		}
		return rest;
	}

	private passAll(): Buffer {
		const all = this.head;
		this.head = Buffer.alloc(0);
		this.state = { in: 'through' };
		return all;
	}
}
