import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInProcess } from '../../helpers/in-process.mjs';
import { writeKubeconfig } from '../../helpers/kubeconfig.mjs';

// Stand-ins for an API server on loopback: each answers every request one way.
const servers = [];
async function listen(server) {
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	servers.push(server);
	return `http://127.0.0.1:${server.address().port}`;
}
function apiServer(route) {
	return listen(http.createServer((req, res) => {
		const [status, body] = route(req.url);
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
	}));
}
const status = (code, reason, message) => [code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code }];
after(() => servers.forEach((s) => { s.closeAllConnections?.(); s.close(); }));

async function servicesWith(cluster, params = {}) {
	const { client } = startInProcess({ cluster });
	await client.initialize();
	return client.request('cluster/services', params, 20_000);
}

test('a cluster that refuses connections fails fast with clusterUnreachable', async () => {
	const kubeconfig = writeKubeconfig([{ name: 'down', server: 'https://127.0.0.1:1' }]);
	const started = Date.now();
	const { error } = await servicesWith({ kubeconfig });
	assert.equal(error.code, -33100);
	assert.equal(error.data.reason, 'clusterUnreachable');
	assert.equal(error.data.context, 'down');
	assert.equal(error.data.server, 'https://127.0.0.1:1');
	assert.match(error.data.hint, /context 'down'/);
	assert.ok(Date.now() - started < 5000, 'no long hang');
});

test('a server that never answers fails with clusterTimeout after requestTimeoutMs', async () => {
	const url = await listen(net.createServer(() => {}));
	const kubeconfig = writeKubeconfig([{ name: 'silent', server: url }]);
	const started = Date.now();
	const { error } = await servicesWith({ kubeconfig, requestTimeoutMs: 500 });
	assert.equal(error.data.reason, 'clusterTimeout');
	assert.match(error.message, /within 500 ms/);
	assert.ok(Date.now() - started < 5000);
});

test('401, 403 and other answers map to their reasons', async () => {
	const cases = [
		[status(401, 'Unauthorized', 'Unauthorized'), -33101, 'unauthorized'],
		[status(403, 'Forbidden', 'services is forbidden: User "dev" cannot list resource "services"'), -33102, 'forbidden'],
		[status(500, 'InternalError', 'etcd is sad'), -33105, 'clusterRequestFailed'],
	];
	for (const [answer, code, reason] of cases) {
		const url = await apiServer(() => answer);
		const { error } = await servicesWith({ kubeconfig: writeKubeconfig([{ name: 'c', server: url }]) });
		assert.equal(error.code, code, reason);
		assert.equal(error.data.reason, reason);
		assert.equal(error.data.status, answer[0]);
	}
});

test('a namespace that does not exist is namespaceNotFound, not an empty list', async () => {
	const url = await apiServer((path) => (path.startsWith('/api/v1/namespaces/nope/') || path.startsWith('/apis/')
		? [200, { kind: 'List', apiVersion: 'v1', items: [] }]
		: status(404, 'NotFound', 'namespaces "nope" not found')));
	const { error } = await servicesWith({ kubeconfig: writeKubeconfig([{ name: 'c', server: url }]) }, { namespace: 'nope' });
	assert.equal(error.code, -33103);
	assert.equal(error.data.reason, 'namespaceNotFound');
});

test('kubeconfig problems are typed: missing file, unreadable file, unknown context', async () => {
	const missing = await servicesWith({ kubeconfig: '/no/such/kubeconfig' });
	assert.equal(missing.error.data.reason, 'kubeconfigNotFound');
	const garbage = writeKubeconfig([{ name: 'x', server: 'https://127.0.0.1:1' }]);
	writeFileSync(garbage, 'clusters: [unclosed\n');
	const invalid = await servicesWith({ kubeconfig: garbage });
	assert.equal(invalid.error.data.reason, 'kubeconfigInvalid');
	const twoContexts = writeKubeconfig([{ name: 'one', server: 'https://127.0.0.1:1' }, { name: 'two', server: 'https://127.0.0.1:2' }]);
	const unknown = await servicesWith({ kubeconfig: twoContexts, context: 'three' });
	assert.equal(unknown.error.code, -33104);
	assert.equal(unknown.error.data.reason, 'contextNotFound');
	assert.match(unknown.error.data.hint, /one, two/);
});

test('cluster/contexts lists contexts with the one in use marked, without contacting a cluster', async () => {
	const kubeconfig = writeKubeconfig([{ name: 'one', server: 'https://127.0.0.1:1', namespace: 'shop' }, { name: 'two', server: 'https://127.0.0.1:2' }]);
	const { client } = startInProcess({ cluster: { kubeconfig, context: 'two' } });
	await client.initialize();
	const { result } = await client.request('cluster/contexts', {});
	assert.deepEqual(result.sources, [kubeconfig]);
	assert.deepEqual(result.contexts.map((c) => [c.name, c.current, c.namespace, c.server]), [
		['one', false, 'shop', 'https://127.0.0.1:1'],
		['two', true, null, 'https://127.0.0.1:2'],
	]);
});

test('an exec credential plugin is run and its token used; a failing plugin is authPluginFailed', async () => {
	const seen = [];
	const url = await listen(http.createServer((req, res) => {
		seen.push(req.headers.authorization);
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', items: [{ metadata: { name: 'shop' }, status: { phase: 'Active' } }] }));
	}));
	const dir = mkdtempSync(join(tmpdir(), 'kubebridge-plugin-'));
	const plugin = (name, body) => {
		const file = join(dir, name);
		writeFileSync(file, `#!/bin/sh\n${body}\n`);
		chmodSync(file, 0o755);
		return file;
	};
	const good = plugin('good', `echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-plugin"}}'`);
	const bad = plugin('bad', "echo 'your login expired' >&2; exit 3");

	const { client } = startInProcess({ cluster: { kubeconfig: writeKubeconfig([{ name: 'sso', server: url, exec: good }]) } });
	await client.initialize();
	const { result } = await client.request('cluster/namespaces', {});
	assert.deepEqual(result.namespaces, [{ name: 'shop', phase: 'Active' }]);
	assert.deepEqual(seen, ['Bearer from-plugin']);

	const failing = startInProcess({ cluster: { kubeconfig: writeKubeconfig([{ name: 'sso', server: url, exec: bad }]) } });
	await failing.client.initialize();
	const { error } = await failing.client.request('cluster/namespaces', {});
	assert.equal(error.code, -33101);
	assert.equal(error.data.reason, 'authPluginFailed');
	assert.match(error.message, /your login expired/);
	assert.equal(seen.length, 1, 'no request was sent without credentials');
});
