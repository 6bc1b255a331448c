// Every transcript of vs-adapter/STREAMJSONRPC.md, run against the packaged executable with
// the framing StreamJsonRpc's HeaderDelimitedMessageHandler writes (Content-Length and
// Content-Type), and every message in it checked against protocol/metaModel.json. A note
// that drifts from the server, or from the meta-model, fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Ajv } from 'ajv';
import { startSidecar } from '../helpers/executable.mjs';
import { encode } from '../helpers/wire.mjs';
import { writeKubeconfig } from '../helpers/kubeconfig.mjs';

const note = readFileSync(new URL('../../vs-adapter/STREAMJSONRPC.md', import.meta.url), 'utf8');
const model = JSON.parse(readFileSync(new URL('../../protocol/metaModel.json', import.meta.url), 'utf8'));
const transcripts = [...note.matchAll(/^```jsonrpc\n([\s\S]*?)^```$/gm)].map((m) => m[1].trim().split('\n').map((line) => {
	const [, arrow, json] = /^(-->|<--) (.*)$/.exec(line) ?? assert.fail(`not a transcript line: ${line}`);
	return { sent: arrow === '-->', message: JSON.parse(json) };
}));

/** `expected` shows only what matters: its members must be in `actual`; "…" matches anything. */
function fits(expected, actual) {
	if (expected === '…') return actual !== undefined;
	if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => fits(e, actual[i]));
	if (expected && typeof expected === 'object') return actual !== null && typeof actual === 'object' && Object.entries(expected).every(([k, v]) => fits(v, actual[k]));
	return expected === actual;
}

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema({ definitions: model.definitions }, 'meta');
const compile = (schema) => ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/definitions/', '"meta#/definitions/')));
const described = (method) => model.requests.find((r) => r.method === method) ?? model.notifications.find((n) => n.method === method);

/** Whether a message is what the meta-model says of it: params of what is sent, result or error data of what comes back. */
function checkAgainstModel(message, methodsById) {
	if ('method' in message) {
		const entry = described(message.method);
		assert.ok(entry, `${message.method} is in the meta-model`);
		if (!('params' in message)) return true;
		return entry.params ? compile(entry.params)(message.params) : false;
	}
	const request = described(methodsById.get(message.id));
	if ('error' in message) return compile({ $ref: '#/definitions/ErrorData' })(message.error.data);
	return compile(request.result)(message.result);
}

/** An API server that accepts connections and never answers: requests to it run until cancelled. */
async function silentApiServer() {
	const sockets = new Set();
	const server = createServer((socket) => { sockets.add(socket); socket.on('error', () => undefined); });
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { port: server.address().port, close: () => { for (const s of sockets) s.destroy(); server.close(); } };
}

test('the note has transcripts for named params, progress, cancellation and ending', () => {
	const sent = transcripts.flat().filter((l) => l.sent).map((l) => l.message.method);
	for (const method of ['initialize', 'initialized', 'cluster/contexts', 'cluster/services', '$/cancelRequest', 'shutdown', 'exit']) assert.ok(sent.includes(method), method);
});

for (const [index, transcript] of transcripts.entries()) {
	test(`transcript ${index + 1} of STREAMJSONRPC.md gets the answers it shows from the executable`, async (t) => {
		const api = await silentApiServer();
		const kubeconfig = writeKubeconfig([{ name: 'vs', server: `https://127.0.0.1:${api.port}`, namespace: 'shop' }]);
		const sidecar = startSidecar({ args: ['--kubeconfig', kubeconfig], contentType: true });
		t.after(() => { sidecar.child.kill(); api.close(); });
		const methodsById = new Map();
		for (const { sent, message } of transcript) {
			if (sent) {
				if ('id' in message) methodsById.set(message.id, message.method);
				const refused = transcript.some((l) => !l.sent && l.message.id === message.id && l.message.error?.code === -32602);
				assert.equal(checkAgainstModel(message, methodsById), !refused, `the meta-model ${refused ? 'refuses' : 'accepts'} ${JSON.stringify(message)}`);
				sidecar.client.raw(encode(message, { contentType: true }));
				continue;
			}
			const answer = await sidecar.client.reader.next((m) => ('id' in message ? m.id === message.id && !('method' in m) : m.method === message.method && fits(message, m)), 15_000);
			assert.ok(fits(message, answer), `expected ${JSON.stringify(message)}\n     got ${JSON.stringify(answer)}`);
			assert.ok(checkAgainstModel(answer, methodsById), `the meta-model describes ${JSON.stringify(answer)}`);
		}
		if (transcript.at(-1).message.method === 'exit') assert.equal(await sidecar.exited, 0);
	});
}
