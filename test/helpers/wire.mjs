// An independent JSON-RPC client for the tests: its own Content-Length framing, written
// from the base protocol's description, so the server is checked against the spec rather
// than against the library it is built on.

export function encode(message, { contentType = false } = {}) {
	const body = Buffer.from(typeof message === 'string' ? message : JSON.stringify(message), 'utf8');
	const type = contentType ? 'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n' : '';
	return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n${type}\r\n`, 'ascii'), body]);
}

/** Collects framed messages from a readable stream and hands them out in order. */
export class WireReader {
	#buffer = Buffer.alloc(0);
	#messages = [];
	#waiters = [];
	#ended = false;

	constructor(readable) {
		readable.on('data', (chunk) => this.#push(chunk));
		readable.on('end', () => {
			this.#ended = true;
			for (const w of this.#waiters.splice(0)) w.reject(new Error('stream ended'));
		});
	}

	#push(chunk) {
		this.#buffer = Buffer.concat([this.#buffer, chunk]);
		for (;;) {
			const end = this.#buffer.indexOf('\r\n\r\n');
			if (end < 0) return;
			const header = this.#buffer.subarray(0, end).toString('ascii');
			const length = Number(/Content-Length: (\d+)/i.exec(header)?.[1]);
			if (!Number.isInteger(length)) throw new Error(`bad header from server: ${header}`);
			if (this.#buffer.length < end + 4 + length) return;
			const message = JSON.parse(this.#buffer.subarray(end + 4, end + 4 + length).toString('utf8'));
			this.#buffer = this.#buffer.subarray(end + 4 + length);
			const waiter = this.#waiters.find((w) => w.match(message));
			if (waiter) {
				this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
				waiter.resolve(message);
			} else {
				this.#messages.push(message);
			}
		}
	}

	/** The next message that satisfies `match` (default: any), waiting up to `ms`. */
	next(match = () => true, ms = 10_000) {
		const index = this.#messages.findIndex(match);
		if (index >= 0) return Promise.resolve(this.#messages.splice(index, 1)[0]);
		if (this.#ended) return Promise.reject(new Error('stream ended'));
		return new Promise((resolve, reject) => {
			const waiter = { match, resolve, reject };
			const timer = setTimeout(() => {
				this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
				reject(new Error(`no matching message within ${ms} ms`));
			}, ms);
			waiter.resolve = (m) => { clearTimeout(timer); resolve(m); };
			waiter.reject = (e) => { clearTimeout(timer); reject(e); };
			this.#waiters.push(waiter);
		});
	}

	response(id, ms) {
		return this.next((m) => m.id === id && ('result' in m || 'error' in m), ms);
	}

	/** Messages received and not taken yet. */
	get pending() {
		return [...this.#messages];
	}
}

/** A request/notification sender over a writable stream, with its own id counter. */
export class WireClient {
	#id = 0;

	constructor(writable, readable, options = {}) {
		this.writable = writable;
		this.reader = new WireReader(readable);
		this.options = options;
	}

	raw(bytes) {
		this.writable.write(bytes);
	}

	notify(method, params) {
		this.raw(encode({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) }, this.options));
	}

	async request(method, params, ms) {
		const id = ++this.#id;
		this.raw(encode({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }, this.options));
		return this.reader.response(id, ms);
	}

	async initialize(params = {}) {
		const response = await this.request('initialize', { processId: null, capabilities: {}, ...params });
		this.notify('initialized', {});
		return response;
	}
}
