import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess } from '../../helpers/in-process.mjs';
import { encode } from '../../helpers/wire.mjs';
import { writeKubeconfig } from '../../helpers/kubeconfig.mjs';

const kubeconfig = writeKubeconfig([{ name: 'nvim', server: 'https://127.0.0.1:1' }]);

// What Neovim's vim.lsp.rpc writes: a Lua empty table becomes [], no params become null.
test('a session in the forms Neovim sends: capabilities [], params [] and params null', async () => {
	const { client, exited } = startInProcess({ cluster: { kubeconfig } });
	client.raw(encode({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, clientInfo: { name: 'Neovim' }, capabilities: [] } }));
	assert.ok((await client.reader.response(1)).result.capabilities.supportsClusterDiscovery);
	client.raw(encode({ jsonrpc: '2.0', method: 'initialized', params: [] }));
	client.raw(encode({ jsonrpc: '2.0', id: 2, method: 'cluster/contexts', params: [] }));
	assert.deepEqual((await client.reader.response(2)).result.contexts.map((c) => c.name), ['nvim']);
	client.raw(encode({ jsonrpc: '2.0', id: 3, method: 'shutdown', params: null }));
	assert.deepEqual((await client.reader.response(3)).result, null);
	client.raw(encode({ jsonrpc: '2.0', method: 'exit', params: null }));
	assert.equal(await exited, 0);
});

test('forms that would lose or invent information stay InvalidParams', async () => {
	const { client } = startInProcess({ cluster: { kubeconfig } });
	const refused = async (id, method, params) => {
		client.raw(encode({ jsonrpc: '2.0', id, method, params }));
		const response = await client.reader.response(id);
		assert.equal(response.error?.code, -32602, `${method} ${JSON.stringify(params)}`);
		return response.error.data.path;
	};
	assert.equal(await refused(1, 'initialize', { processId: null, capabilities: [1] }), '/capabilities');
	assert.equal(await refused(2, 'initialize', null), '/processId');
	await client.initialize();
	assert.equal(await refused(3, 'cluster/services', { namespace: [] }), '/namespace');
	assert.equal(await refused(4, 'cluster/services', ['kb-demo']), '/');
	assert.equal(await refused(5, 'shutdown', [1]), '/');
});
