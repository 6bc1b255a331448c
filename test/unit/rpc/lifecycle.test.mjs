import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startInProcess } from '../../helpers/in-process.mjs';
import { encode } from '../../helpers/wire.mjs';
import { writeKubeconfig } from '../../helpers/kubeconfig.mjs';

const kubeconfig = writeKubeconfig([{ name: 'fake', server: 'https://127.0.0.1:1', namespace: 'shop' }]);

/** A cluster that answers from memory after `delayMs`. */
function fakeCluster(delayMs = 0) {
	return () => ({
		context: 'fake', namespace: 'shop', server: 'https://127.0.0.1:1',
		listNamespaces: async () => [{ metadata: { name: 'shop' }, status: { phase: 'Active' } }],
		readNamespaceSnapshot: async () => {
			await new Promise((r) => setTimeout(r, delayMs));
			return { services: [], pods: [], replicaSets: [], deployments: [], statefulSets: [] };
		},
	});
}

test('requests before initialize fail with ServerNotInitialized; notifications are dropped', async () => {
	const { client } = startInProcess();
	client.notify('$/setTrace', { value: 'verbose' });
	const early = await client.request('cluster/contexts', {});
	assert.equal(early.error.code, -32002);
	assert.equal(early.error.data.reason, 'serverNotInitialized');
	const unknown = await client.request('no/such', {});
	assert.equal(unknown.error.code, -32002);
	const init = await client.initialize();
	assert.equal(init.result.serverInfo.name, 'kubebridge');
	assert.equal(init.result.capabilities.supportsClusterDiscovery, true);
});

test('initialize returns the log file, which records the session', async () => {
	const { client, logFile } = startInProcess();
	const init = await client.initialize({ clientInfo: { name: 'test-client', version: '1' } });
	assert.equal(init.result.logFile, logFile);
	const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
	assert.ok(lines.some((l) => l.message === 'initialized' && l.fields.client.name === 'test-client'));
});

test('a second initialize is an InvalidRequest', async () => {
	const { client } = startInProcess();
	await client.initialize();
	const again = await client.request('initialize', { processId: null, capabilities: {} });
	assert.equal(again.error.code, -32600);
	assert.equal(again.error.data.reason, 'alreadyInitialized');
});

test('after shutdown, requests are InvalidRequest and exit ends with code 0', async () => {
	const { client, exited } = startInProcess();
	await client.initialize();
	assert.deepEqual((await client.request('shutdown')).result, null);
	const late = await client.request('cluster/contexts', {});
	assert.equal(late.error.code, -32600);
	assert.equal(late.error.data.reason, 'shutdownRequested');
	client.notify('exit');
	assert.equal(await exited, 0);
});

test('shutdown takes no params: empty ones as StreamJsonRpc sends are fine, others are InvalidParams', async () => {
	const { client } = startInProcess();
	await client.initialize();
	const junk = await client.request('shutdown', { force: true });
	assert.equal(junk.error.code, -32602);
	assert.deepEqual((await client.request('shutdown', [])).result, null);
});

test('exit without shutdown ends with code 1', async () => {
	const { client, exited } = startInProcess();
	await client.initialize();
	client.notify('exit');
	assert.equal(await exited, 1);
});

test('closing the input answers what was sent, then exits', async () => {
	const { client, input, exited } = startInProcess();
	client.raw(Buffer.concat([
		encode({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, capabilities: {} } }),
		encode({ jsonrpc: '2.0', id: 2, method: 'shutdown' }),
	]));
	input.end();
	assert.equal(await exited, 0);
	assert.ok((await client.reader.response(1)).result);
	assert.deepEqual((await client.reader.response(2)).result, null);
});

test('unknown methods are MethodNotFound; wrong params are InvalidParams with a path', async () => {
	const { client } = startInProcess();
	await client.initialize();
	const unknown = await client.request('session/teleport', {});
	assert.equal(unknown.error.code, -32601);
	assert.equal(unknown.error.data.reason, 'methodNotFound');
	const wrong = await client.request('cluster/services', { namespace: ['x'] });
	assert.equal(wrong.error.code, -32602);
	assert.equal(wrong.error.data.path, '/namespace');
});

test('malformed input gets errors and the server keeps serving', async () => {
	const { client } = startInProcess();
	await client.initialize();
	client.raw(Buffer.from('this is not a header\r\n\r\n'));
	client.raw(encode('{"jsonrpc":"2.0","id":'));
	client.raw(encode([{ jsonrpc: '2.0', id: 9, method: 'shutdown' }]));
	client.raw(encode({ jsonrpc: '2.0', id: 10 }));
	const errors = [];
	for (let i = 0; i < 4; i++) errors.push(await client.reader.next((m) => m.error && (m.id === null || m.id === 10)));
	assert.deepEqual(errors.map((e) => e.error.data.reason).sort(), ['batchNotSupported', 'invalidRequest', 'parseError', 'parseError']);
	const still = await client.request('cluster/contexts', {});
	assert.ok(still.error || still.result, 'answered after the bad input');
});

test('thousands of malformed messages in a row leave it serving', async () => {
	const { client } = startInProcess();
	await client.initialize();
	const bad = [
		encode('{oops'), encode('[]'), encode('"str"'), encode({ jsonrpc: '1.0', id: 'bad-1', method: 'x' }),
		Buffer.from('Content-Length: abc\r\n\r\n'), encode({ jsonrpc: '2.0', id: 'bad-2', method: 7 }),
	];
	for (let i = 0; i < 3000; i++) client.raw(bad[i % bad.length]);
	const init = await client.request('cluster/contexts', {}, 30_000);
	assert.ok(init.result || init.error?.data?.reason, 'still answering');
	const errors = client.reader.pending.filter((m) => m.error);
	assert.equal(errors.length, 3000);
});

test('cluster/services reports work-done progress for a token', async () => {
	const { client } = startInProcess({ cluster: { kubeconfig }, makeClusterAccess: fakeCluster() });
	await client.initialize();
	const response = await client.request('cluster/services', { workDoneToken: 'p1' });
	assert.deepEqual(response.result, { namespace: 'shop', services: [] });
	const kinds = [];
	for (let i = 0; i < 3; i++) kinds.push((await client.reader.next((m) => m.method === '$/progress' && m.params.token === 'p1')).params.value.kind);
	assert.deepEqual(kinds, ['begin', 'report', 'end']);
});

test("$/progress begin says cancellable only for a request the spec lets cancel", async () => {
	const { client } = startInProcess({ cluster: { kubeconfig }, makeClusterAccess: () => ({ ...fakeCluster()(), objects: { list: async () => [] } }) });
	await client.initialize();
	const beginOf = async (method, token) => {
		const response = await client.request(method, { workDoneToken: token });
		assert.ok(response.result, JSON.stringify(response.error));
		return (await client.reader.next((m) => m.method === '$/progress' && m.params.token === token && m.params.value.kind === 'begin')).params.value;
	};
	assert.equal((await beginOf('cluster/services', 'listing')).cancellable, true);
	assert.equal((await beginOf('session/restore', 'restoring')).cancellable, false);
});

test('$/cancelRequest cancels a running request with RequestCancelled', async () => {
	const { client } = startInProcess({ cluster: { kubeconfig }, makeClusterAccess: fakeCluster(300) });
	await client.initialize();
	const pending = client.request('cluster/services', {});
	client.notify('$/cancelRequest', { id: 2 });
	const response = await pending;
	assert.equal(response.error.code, -32800);
	assert.equal(response.error.data.reason, 'requestCancelled');
});

test('$/setTrace turns on $/logTrace; log/didWrite carries warnings to clients that asked', async () => {
	const { client } = startInProcess({ cluster: { kubeconfig } });
	await client.initialize({ capabilities: { supportsLogNotifications: true } });
	client.notify('$/setTrace', { value: 'verbose' });
	await client.request('cluster/services', {});
	const trace = await client.reader.next((m) => m.method === '$/logTrace');
	assert.match(trace.params.message, /\] /);
	assert.equal(JSON.parse(trace.params.verbose ?? '{}').constructor, Object);
	const warning = await client.reader.next((m) => m.method === 'log/didWrite');
	assert.equal(warning.params.level, 'warning');
	client.notify('$/setTrace', { value: 'off' });
	// The snapshot's other reads may still be failing (and tracing) when its error comes back;
	// a round trip after 'off' brings in every trace sent before it.
	await client.request('cluster/contexts', {});
	const traces = () => client.reader.pending.filter((m) => m.method === '$/logTrace').length;
	const before = traces();
	await client.request('cluster/namespaces', {});
	assert.equal(traces(), before, 'no $/logTrace once trace is off');
});

test('the server exits when the client process is gone', async () => {
	const { spawn } = await import('node:child_process');
	const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 200)']);
	const { exited } = startInProcess({ clientProcessId: child.pid });
	await new Promise((r) => child.on('exit', r));
	assert.equal(await exited, 1);
});
