import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSidecar } from '../helpers/executable.mjs';
import { encode } from '../helpers/wire.mjs';

test('the packaged executable answers the request written right after a $/cancelRequest without an id', async (t) => {
	const { child, client, exited } = startSidecar();
	t.after(() => child.kill());
	await client.initialize();
	for (const [i, params] of [[], [1], {}, undefined, { id: null }].entries()) {
		const id = `s60-${i}`;
		client.raw(Buffer.concat([
			encode({ jsonrpc: '2.0', method: '$/cancelRequest', ...(params === undefined ? {} : { params }) }),
			encode({ jsonrpc: '2.0', id, method: 'cluster/contexts', params: {} }),
		]));
		const answer = await client.reader.response(id, 5000);
		assert.ok(answer.result || answer.error, `answered after a cancel with params ${JSON.stringify(params)}`);
	}
	assert.deepEqual((await client.request('shutdown')).result, null);
	client.notify('exit');
	assert.equal(await exited, 0);
	assert.deepEqual(client.reader.pending.filter((m) => 'id' in m), [], 'the ignored cancels got no response');
});
