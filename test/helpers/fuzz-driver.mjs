// Drives the packaged executable with batches from fuzz-messages.mjs under fast-check and
// checks after each batch that nothing was lost: every request with an id has exactly one
// response, a sentinel request written after the batch is answered with a result (so the
// framing is in sync and the server still runs), the process has not exited, and its RSS
// stays under a bound.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { ABSENT, CANCEL, batchOf, toJson } from './fuzz-messages.mjs';
import { startSidecar } from './executable.mjs';
import { writeKubeconfig } from './kubeconfig.mjs';

const BATCH_MS = 10_000;
const SENTINEL_METHOD = 'cluster/contexts';

const frame = (body, header = `Content-Length: ${body.length}\r\n`) => Buffer.concat([Buffer.from(`${header}\r\n`, 'latin1'), body]);
const utf8 = (text) => Buffer.from(text, 'utf8');
const keyOf = (id) => `${typeof id}:${id}`;

/** Reads the server's framed output strictly: anything but a well-formed frame is a failure. */
class ResponseCounter {
	#buffer = Buffer.alloc(0);
	counts = new Map();
	responses = new Map();
	waiters = new Map();
	notifications = 0;
	problem = null;

	push(chunk) {
		this.#buffer = Buffer.concat([this.#buffer, chunk]);
		for (;;) {
			const end = this.#buffer.indexOf('\r\n\r\n');
			if (end < 0) return;
			const length = /^Content-Length: (\d+)$/.exec(this.#buffer.subarray(0, end).toString('latin1'))?.[1];
			if (length === undefined) {
				this.problem ??= `bad header from the server: ${JSON.stringify(this.#buffer.subarray(0, 80).toString('latin1'))}`;
				return;
			}
			if (this.#buffer.length < end + 4 + Number(length)) return;
			const message = JSON.parse(this.#buffer.subarray(end + 4, end + 4 + Number(length)).toString('utf8'));
			this.#buffer = this.#buffer.subarray(end + 4 + Number(length));
			if (!('id' in message) || message.method) {
				this.notifications++;
				continue;
			}
			const key = keyOf(message.id);
			this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
			this.responses.set(key, message);
			this.waiters.get(key)?.();
		}
	}

	/** Resolves once `id` has been answered. */
	answered(id) {
		const key = keyOf(id);
		if (this.counts.has(key)) return Promise.resolve();
		return new Promise((resolve) => this.waiters.set(key, () => { this.waiters.delete(key); resolve(); }));
	}
}

/** A running executable with its response counter and RSS sampler. */
async function startServer(kubeconfig, stats) {
	const sidecar = startSidecar({ args: ['--kubeconfig', kubeconfig] });
	const counter = new ResponseCounter();
	// The wire client's own reader keeps every message; this one only counts.
	sidecar.child.stdout.removeAllListeners('data');
	sidecar.child.stdout.on('data', (chunk) => counter.push(chunk));
	let stopping = false;
	sidecar.exited.then(() => { if (!stopping) stats.crashes++; });
	const sample = () => {
		try {
			const kib = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${sidecar.child.pid}/status`, 'utf8'))?.[1]);
			if (kib) stats.maxRssKiB = Math.max(stats.maxRssKiB, kib);
		} catch { /* gone: the exit check reports it */ }
	};
	const sampler = setInterval(sample, 50);
	const server = {
		sidecar, counter, sample,
		ending: () => { stopping = true; },
		write: async (bytes) => {
			if (!sidecar.child.stdin.write(bytes)) await new Promise((resolve) => sidecar.child.stdin.once('drain', resolve));
		},
		stop: () => { stopping = true; clearInterval(sampler); sidecar.child.kill('SIGKILL'); },
	};
	stats.starts++;
	await server.write(frame(utf8(JSON.stringify({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { processId: null, capabilities: {} } }))));
	await server.write(frame(utf8('{"jsonrpc":"2.0","method":"initialized","params":{}}')));
	await withTimeout(counter.answered('init'), 'initialize');
	return server;
}

function withTimeout(promise, what) {
	let timer;
	return Promise.race([
		promise.finally(() => clearTimeout(timer)),
		new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${BATCH_MS} ms`)), BATCH_MS); }),
	]);
}

/** Ids unique over the whole run, in the spelling an item asks for. */
function idMaker() {
	let n = 0;
	return {
		request(form, flavour) {
			n++;
			switch (form) {
				case 'integer': return n;
				case 'negative': return -n;
				case 'large': return 2 ** 40 + n;
				case 'string': return `r${n}`;
				default: return `r${n}-${flavour}`;
			}
		},
		throwaway: () => `bad-${++n}`,
		sentinel: () => `sentinel-${++n}`,
	};
}

const message = (fields, params) => ({ jsonrpc: '2.0', ...fields, ...(params === ABSENT ? {} : { params }) });

function framingBytes(item, throwaway) {
	const body = utf8(JSON.stringify({ jsonrpc: '2.0', id: throwaway, method: SENTINEL_METHOD, params: {} }));
	const length = body.length;
	switch (item.variant) {
		case 'junk': return item.junk;
		case 'badLength': return frame(body, `Content-Length: ${['abc', '-1', '', '1e3', '0x10', '99999999999999999999', '12 34'][item.amount % 7]}\r\n`);
		case 'missingLength': return frame(body, 'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n');
		case 'duplicateLength': return frame(body, `Content-Length: ${length}\r\nContent-Length: ${length}\r\n`);
		case 'conflictingLength': return frame(body, `Content-Length: ${length}\r\nContent-Length: ${length + item.amount}\r\n`);
		case 'zeroLength': return frame(body, 'Content-Length: 0\r\n');
		case 'shortLength': return frame(body, `Content-Length: ${Math.max(1, length - item.amount)}\r\n`);
		case 'paddedLength': return frame(Buffer.concat([body, Buffer.from(' \t\r\n'.repeat(item.amount))]));
		case 'lfOnly': return Buffer.concat([Buffer.from(`Content-Length: ${length}\n\n`), body]);
		case 'invalidUtf8': return frame(Buffer.concat([body.subarray(0, 20), Buffer.from([0xff, 0xc3, 0x28]), body.subarray(20)]));
		case 'invalidJson': return frame(body.subarray(0, Math.max(1, length - item.amount)));
		case 'otherCharset': return frame(body, `Content-Length: ${length}\r\nContent-Type: application/json; charset=utf-16\r\n`);
		case 'noColon': return frame(body, `Content-Length ${length}\r\n`);
		case 'longHeader': return frame(body, `X-Long: ${'x'.repeat(9000 + item.amount)}\r\nContent-Length: ${length}\r\n`);
	}
	throw new Error(`unknown framing variant ${item.variant}`);
}

/**
 * The bytes of a batch, the ids that must each get exactly one response, and the ids of
 * throw-away messages that may get at most one.
 */
export function encodeBatch(batch, ids) {
	const requestIds = batch.items.map((item) => (item.kind === 'request' ? ids.request(item.idForm, item.flavour) : null));
	const batchIds = requestIds.filter((id) => id !== null);
	const expected = [];
	const throwaways = [];
	const member = (m) => {
		if (m === 'cancel') return message({ method: CANCEL }, { id: batchIds[0] ?? 'none' });
		if (m.kind === 'request') { const id = ids.throwaway(); throwaways.push(id); return message({ id, method: m.method }, m.params); }
		return message({ method: m.method }, m.params);
	};
	const parts = batch.items.map((item, i) => {
		switch (item.kind) {
			case 'request':
				expected.push(requestIds[i]);
				return frame(utf8(toJson(message({ id: requestIds[i], method: item.method }, item.params))));
			case 'notification':
				return frame(utf8(toJson(message({ method: item.method }, item.params))));
			case 'cancel': {
				const params = item.target === 'batch' ? { id: batchIds.length ? batchIds[item.index % batchIds.length] : 'none' } : item.params;
				return frame(utf8(toJson(message({ method: CANCEL }, params))));
			}
			case 'invalid': {
				const id = ids.throwaway();
				throwaways.push(id);
				return frame(utf8(toJson(item.idPlacement === 'id' ? { ...item.value, id } : item.value)));
			}
			case 'response': {
				const id = ids.throwaway();
				return frame(utf8(JSON.stringify({ jsonrpc: '2.0', id, ...(item.member === 'result' ? { result: null } : { error: { code: 1, message: 'x' } }) })));
			}
			case 'batch':
				return frame(utf8(toJson(item.members.map(member))));
			case 'framing': {
				const id = ids.throwaway();
				throwaways.push(id);
				return framingBytes(item, id);
			}
		}
		throw new Error(`unknown item kind ${item.kind}`);
	});
	return { bytes: Buffer.concat(parts), expected, throwaways, messages: batch.items.length };
}

/** Writes the bytes in pieces cut at the given fractions, so frames straddle reads. */
async function writeInPieces(server, bytes, cuts) {
	const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
	let from = 0;
	for (const point of [...points, bytes.length]) {
		if (point <= from) continue;
		await server.write(bytes.subarray(from, point));
		from = point;
		await new Promise((resolve) => setImmediate(resolve));
	}
}

/** Long strings and byte runs cut short, so the report stays readable. */
const abridge = (_, value) => {
	if (typeof value === 'string' && value.length > 120) return `${value.slice(0, 60)}…(${value.length} chars)`;
	if (value?.type === 'Buffer') return `<${value.data.length} bytes>`;
	if (typeof value === 'symbol') return value.description;
	return value;
};

function describeFailure(details) {
	return [
		`the property failed: ${details.errorInstance?.message ?? details.error}`,
		`seed ${details.seed}, path ${details.counterexamplePath}, after ${details.numRuns} batches and ${details.numShrinks} shrinks`,
		`smallest failing batch: ${JSON.stringify(details.counterexample?.[0], abridge, 1)}`,
	].join('\n');
}

/**
 * Runs about `messages` fuzzed messages (whole batches) against the packaged executable.
 * Resolves with the figures; rejects with the error, the seed and path that replay it, and
 * the smallest failing batch fast-check shrank it to.
 */
export async function fuzzExecutable({ messages, seed, maxItems = 40, maxRssMiB = 512, shrink = true, onProgress = () => undefined }) {
	const kubeconfig = writeKubeconfig([{ name: 'fuzz', server: 'https://127.0.0.1:1', namespace: 'fuzz' }]);
	const stats = { seed, messages: 0, requests: 0, responses: 0, sentinels: 0, batches: 0, starts: 0, maxRssKiB: 0, crashes: 0, ms: 0 };
	const ids = idMaker();
	const started = Date.now();
	let server = await startServer(kubeconfig, stats);
	let tainted = false;

	const property = fc.asyncProperty(batchOf(maxItems), async (batch) => {
		if (tainted) {
			server.stop();
			server = await startServer(kubeconfig, stats);
			tainted = false;
		}
		tainted = true;
		const { bytes, expected, throwaways, messages: count } = encodeBatch(batch, ids);
		const sentinel = ids.sentinel();
		await writeInPieces(server, bytes, batch.cuts);
		await server.write(frame(utf8(JSON.stringify({ jsonrpc: '2.0', id: sentinel, method: SENTINEL_METHOD, params: {} }))));
		const exited = new Promise((_, reject) => server.sidecar.exited.then((code) => reject(new Error(`the server exited with ${code} during the batch`))));
		const { counter } = server;
		const answered = Promise.all([...expected, sentinel].map((id) => counter.answered(id)));
		await withTimeout(Promise.race([answered, exited]), 'the batch').catch((error) => {
			const missing = [...expected, sentinel].filter((id) => !counter.counts.has(keyOf(id)));
			throw new Error(`${error.message}; unanswered: ${missing.map((id) => JSON.stringify(id)).join(', ')}`);
		});
		if (counter.problem) throw new Error(counter.problem);
		const sentinelAnswer = counter.responses.get(keyOf(sentinel));
		if (!sentinelAnswer.result?.contexts) throw new Error(`the sentinel got ${JSON.stringify(sentinelAnswer).slice(0, 300)}`);
		for (const id of [...expected, sentinel]) {
			if (counter.counts.get(keyOf(id)) !== 1) throw new Error(`request ${JSON.stringify(id)} got ${counter.counts.get(keyOf(id))} responses`);
		}
		for (const id of throwaways) {
			if ((counter.counts.get(keyOf(id)) ?? 0) > 1) throw new Error(`throw-away ${id} got ${counter.counts.get(keyOf(id))} responses`);
		}
		server.sample();
		if (stats.maxRssKiB > maxRssMiB * 1024) throw new Error(`RSS reached ${Math.round(stats.maxRssKiB / 1024)} MiB`);
		tainted = false;
		stats.messages += count;
		stats.requests += expected.length;
		stats.sentinels++;
		stats.batches++;
		onProgress(stats);
	});

	const averageItems = (1 + maxItems) / 2;
	try {
		const details = await fc.check(property, { seed, numRuns: Math.ceil((messages / averageItems) * 1.2), endOnFailure: !shrink });
		if (details.failed) throw new Error(describeFailure(details));
		// The end of a session: shutdown is answered and exit ends the process with 0.
		await server.write(frame(utf8('{"jsonrpc":"2.0","id":"last","method":"shutdown"}')));
		await withTimeout(server.counter.answered('last'), 'shutdown');
		server.ending();
		await server.write(frame(utf8('{"jsonrpc":"2.0","method":"exit"}')));
		const code = await withTimeout(server.sidecar.exited, 'exit');
		if (code !== 0) throw new Error(`exit ended the process with ${code}`);
		stats.responses = [...server.counter.counts.values()].reduce((a, b) => a + b, 0);
		stats.ms = Date.now() - started;
		return stats;
	} finally {
		server.stop();
	}
}
