// The lossless spellings of params (PROTOCOL.md, "Content") through the packaged
// executable: what Neovim's client writes is served, everything that would lose or invent
// information stays InvalidParams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSidecar } from '../helpers/executable.mjs';
import { encode } from '../helpers/wire.mjs';
import { writeKubeconfig } from '../helpers/kubeconfig.mjs';

const kubeconfig = writeKubeconfig([{ name: 'nvim-exe', server: 'https://127.0.0.1:1' }]);

test('the executable serves capabilities [], params [] and params null', async (t) => {
	const { child, client, exited } = startSidecar({ args: ['--kubeconfig', kubeconfig] });
	t.after(() => child.kill());
	client.raw(encode({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, clientInfo: { name: 'Neovim' }, capabilities: [] } }));
	assert.ok((await client.reader.response(1)).result.capabilities.supportsClusterDiscovery);
	client.raw(encode({ jsonrpc: '2.0', method: 'initialized', params: [] }));
	client.raw(encode({ jsonrpc: '2.0', id: 2, method: 'cluster/contexts', params: [] }));
	assert.deepEqual((await client.reader.response(2)).result.contexts.map((c) => c.name), ['nvim-exe']);
	client.raw(encode({ jsonrpc: '2.0', id: 3, method: 'session/status', params: null }));
	assert.equal((await client.reader.response(3)).result.sessionId, null);
	client.raw(encode({ jsonrpc: '2.0', id: 4, method: 'shutdown', params: null }));
	assert.deepEqual(await client.reader.response(4), { jsonrpc: '2.0', id: 4, result: null });
	client.raw(encode({ jsonrpc: '2.0', method: 'exit', params: null }));
	assert.equal(await exited, 0);
});

test('the executable keeps refusing non-empty arrays, positional params and [] for scalars', async (t) => {
	const { child, client, exited } = startSidecar({ args: ['--kubeconfig', kubeconfig] });
	t.after(() => child.kill());
	const refused = async (id, method, params) => {
		client.raw(encode({ jsonrpc: '2.0', id, method, params }));
		const response = await client.reader.response(id);
		assert.equal(response.error?.code, -32602, `${method} ${JSON.stringify(params)}: ${JSON.stringify(response)}`);
		return response.error.data.path;
	};
	assert.equal(await refused(1, 'initialize', { processId: null, capabilities: [1] }), '/capabilities');
	assert.equal(await refused(2, 'initialize', null), '/processId');
	assert.equal(await refused(3, 'initialize', [null, {}]), '/');
	await client.initialize();
	assert.equal(await refused(4, 'cluster/services', { namespace: [] }), '/namespace');
	assert.equal(await refused(5, 'cluster/services', ['kb-demo']), '/');
	assert.equal(await refused(6, 'shutdown', [1]), '/');
	assert.equal(await refused(7, 'session/connect', { targets: [{ service: [] }] }), '/targets/0/service');
	assert.deepEqual((await client.request('shutdown')).result, null, 'still serving after every refusal');
	client.notify('exit');
	assert.equal(await exited, 0);
});
