import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startInProcess } from '../../helpers/in-process.mjs';
import { encode } from '../../helpers/wire.mjs';

// A cancel and the request after it in one write, as a client that queues messages sends
// them: the bug lost the request only when both arrived in the same chunk.
const MALFORMED_CANCEL_PARAMS = [[], [1], {}, undefined, null, { id: null }, { id: { toString: 1 } }, { id: 1.5 }, 'x'];

for (const params of MALFORMED_CANCEL_PARAMS) {
	test(`a $/cancelRequest with params ${JSON.stringify(params)} is ignored with a warning, and the request after it is answered`, async () => {
		const { client, logFile } = startInProcess();
		await client.initialize();
		client.raw(Buffer.concat([
			encode({ jsonrpc: '2.0', method: '$/cancelRequest', ...(params === undefined ? {} : { params }) }),
			encode({ jsonrpc: '2.0', id: 's60', method: 'cluster/contexts', params: {} }),
		]));
		const answer = await client.reader.response('s60', 5000);
		assert.ok(answer.result || answer.error, 'the request after the cancel is answered');
		const shutdown = await client.request('shutdown');
		assert.deepEqual(shutdown.result, null);
		assert.deepEqual(client.reader.pending.filter((m) => 'id' in m), [], 'a notification gets no response');
		const warnings = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
			.filter((l) => l.level === 'warning' && l.message.includes('$/cancelRequest'));
		assert.equal(warnings.length, 1, 'the ignored cancel is logged once');
	});
}

test('a well-formed cancel of an unknown id changes nothing for the requests around it', async () => {
	const { client } = startInProcess();
	await client.initialize();
	client.raw(Buffer.concat([
		encode({ jsonrpc: '2.0', id: 'a', method: 'cluster/contexts', params: {} }),
		encode({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 'never-sent' } }),
		encode({ jsonrpc: '2.0', id: 'b', method: 'cluster/contexts', params: {} }),
	]));
	for (const id of ['a', 'b']) {
		const answer = await client.reader.response(id, 5000);
		assert.notEqual(answer.error?.data?.reason, 'requestCancelled');
	}
});
