// kubebridge.yaml wired into the server: found from the workspace folder `initialize`
// names, its env layered over the container's in `environment/get` and `export`, its
// targets completing `session/connect`'s, its tokens answered by what a session offers,
// and a bad file reported with its line and field over the protocol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { startInProcess } from '../../helpers/in-process.mjs';
import { writeKubeconfig } from '../../helpers/kubeconfig.mjs';
import { targetsWithConfig } from '../../../out/server/config/config-targets.js';
import { layerEnvironment } from '../../../out/server/environment/handed-environment.js';
import { targetEnvironment } from '../../../out/server/session/session-environment.js';
import { parseConfig } from '../../../out/server/config/config-file.js';
import { resolveConfigEnv } from '../../../out/server/config/config-tokens.js';

const kubeconfig = writeKubeconfig([{ name: 'fake', server: 'https://127.0.0.1:1', namespace: 'shop' }]);
const b64 = (text) => Buffer.from(text).toString('base64');
const SECRET = 'tr0ub4dor&3-horse';

const POD = {
	apiVersion: 'v1', kind: 'Pod',
	metadata: { name: 'api', namespace: 'shop', labels: { app: 'api' } },
	spec: { containers: [{ name: 'api', ports: [{ containerPort: 8080 }], env: [
		{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
		{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
		{ name: 'LOG_LEVEL', value: 'info' },
	] }] },
	status: { podIP: '10.1.0.7', conditions: [{ type: 'Ready', status: 'True' }] },
};

/** A namespace `shop` holding one bare pod `api` and a Secret `db`, answered from memory. */
function fakeCluster() {
	const lists = { ConfigMap: [], Secret: [{ metadata: { name: 'db', namespace: 'shop' }, data: { password: b64(SECRET) } }], Service: [] };
	return () => ({
		context: 'fake', namespace: 'shop', server: 'https://127.0.0.1:1',
		readNamespaceSnapshot: async () => ({ services: [], pods: [POD], replicaSets: [], deployments: [], statefulSets: [] }),
		objects: {
			read: async (ref) => (ref.kind === 'Pod' && ref.name === 'api' ? structuredClone(POD) : null),
			list: async (_apiVersion, kind) => structuredClone(lists[kind] ?? []),
		},
	});
}

function workspace(yaml) {
	const folder = mkdtempSync(join(tmpdir(), 'kubebridge-ws-'));
	if (yaml !== undefined) writeFileSync(join(folder, 'kubebridge.yaml'), yaml);
	return folder;
}

async function serverFor(folder, { trace } = {}) {
	const started = startInProcess({ cluster: { kubeconfig }, makeClusterAccess: fakeCluster() });
	await started.client.initialize({ workspaceFolder: folder, ...(trace ? { trace } : {}) });
	return started;
}

const TARGET = { workload: { kind: 'Pod', name: 'api' } };

test("the file's env is layered over the container's, tokens of $(NAME) resolved, overrides noted, secrets followed", async () => {
	const folder = workspace([
		'version: 1',
		'env:',
		'  LOG_LEVEL: debug',
		'  GREETING: "hello from $(POD_NAME), $$HOME stays"',
		'  DSN: "postgres://app:$(DB_PASSWORD)@db/app"',
	].join('\n'));
	const { client, logFile } = await serverFor(folder, { trace: 'verbose' });
	const masked = (await client.request('environment/get', { target: TARGET, workDoneToken: 'e1' })).result;
	const byName = Object.fromEntries(masked.vars.map((v) => [v.name, v]));
	assert.deepEqual(byName.LOG_LEVEL, { name: 'LOG_LEVEL', value: 'debug', source: 'config', secret: false });
	assert.equal(byName.GREETING.value, 'hello from api, $HOME stays');
	assert.deepEqual([byName.DSN.value, byName.DSN.secret, byName.DSN.source], ['****', true, 'config'], 'a value that holds a secret is one');
	assert.ok(masked.notes.some((n) => n.includes('sets LOG_LEVEL over the container') && n.includes(join(folder, 'kubebridge.yaml'))));
	assert.deepEqual(masked.vars.map((v) => v.name), ['POD_NAME', 'DB_PASSWORD', 'LOG_LEVEL', 'GREETING', 'DSN'], 'an override keeps its place');

	const revealed = (await client.request('environment/get', { target: TARGET, reveal: true })).result;
	assert.equal(revealed.vars.find((v) => v.name === 'DSN').value, `postgres://app:${SECRET}@db/app`);
	const exported = (await client.request('environment/export', { target: TARGET, format: 'dotenv' })).result;
	assert.equal(dotenv.parse(exported.text).DSN, `postgres://app:${SECRET}@db/app`, 'the export hands over the same environment');
	assert.equal(dotenv.parse(exported.text).LOG_LEVEL, 'debug');

	const traced = client.reader.pending.filter((m) => m.method === '$/logTrace' || m.method === '$/progress');
	assert.ok(traced.length > 0);
	assert.ok(!JSON.stringify(traced).includes(SECRET), 'no trace or progress holds the secret');
	assert.ok(!readFileSync(logFile, 'utf8').includes(SECRET), 'nor does the log');
});

test('a token only a session can answer fails, without one, with configTokenNeedsSession at its line', async () => {
	const folder = workspace('version: 1\nenv:\n  OK: fine\n  CERTS: $(volumeMounts:tls)\n');
	const { client } = await serverFor(folder);
	const { error } = await client.request('environment/get', { target: TARGET });
	assert.equal(error.code, -33501);
	assert.equal(error.data.reason, 'configTokenNeedsSession');
	assert.deepEqual([error.data.line, error.data.path, error.data.name], [4, '/env/CERTS', '$(volumeMounts:tls)']);
	assert.match(error.message, /kubebridge\.yaml:4:10: \/env\/CERTS: \$\(volumeMounts:tls\) needs a connected session with the copied mounted files/);
});

test('a bad file is an error naming its line and field, for config/get and for every request that uses it', async () => {
	const folder = workspace('version: 1\nfeatures:\n  hostsFile: true\n  probe: true\n');
	const { client } = await serverFor(folder);
	for (const [method, params] of [['config/get', {}], ['environment/get', { target: TARGET }], ['session/connect', { targets: [] }]]) {
		const { error } = await client.request(method, params);
		assert.equal(error?.data.reason, 'configInvalid', method);
		assert.deepEqual([error.data.line, error.data.column, error.data.path], [4, 3, '/features/probe'], method);
		assert.match(error.message, /kubebridge\.yaml:4:3: \/features\/probe: unknown field 'probe'/);
	}
});

test('config/get: the file, its switches with defaults; no file and no folder are no configuration', async () => {
	const folder = workspace('version: 1\nlaunch:\n  command: [node, server.js]\nfeatures:\n  hostsFile: false\n');
	const { client } = await serverFor(folder);
	const { result } = await client.request('config/get', {});
	assert.equal(result.file, join(folder, 'kubebridge.yaml'));
	assert.deepEqual(result.config.launch, { command: ['node', 'server.js'] });
	assert.deepEqual(result.features, { hostsFile: false, outbound: true, probes: false, mountFiles: true });
	const bare = workspace();
	const empty = await serverFor(bare);
	assert.deepEqual((await empty.client.request('config/get', {})).result,
		{ workspaceFolder: bare, file: null, config: null, features: { hostsFile: true, outbound: true, probes: false, mountFiles: true } });
	const none = startInProcess({ cluster: { kubeconfig } });
	await none.client.initialize();
	assert.equal((await none.client.request('config/get', {})).result.workspaceFolder, null);
});

test("the file's targets complete those the client names, and stand in when it names none", () => {
	const configured = [
		{ service: 'api', namespace: 'shop', container: 'app', ports: [{ remote: 8080, local: 5000 }] },
		{ workload: { kind: 'Deployment', name: 'worker' } },
	];
	assert.deepEqual(targetsWithConfig([], configured), configured);
	assert.deepEqual(targetsWithConfig([{ service: 'api' }], configured), [configured[0]]);
	assert.deepEqual(targetsWithConfig([{ service: 'api', localPort: 3000 }], configured),
		[{ service: 'api', localPort: 3000, namespace: 'shop', container: 'app' }], 'a port typed wins over the file\'s ports');
	assert.deepEqual(targetsWithConfig([{ service: 'api', namespace: 'other' }], configured), [{ service: 'api', namespace: 'other' }], 'another namespace is another service');
	assert.deepEqual(targetsWithConfig([{ workload: { kind: 'Deployment', name: 'worker' }, container: 'w' }], configured),
		[{ workload: { kind: 'Deployment', name: 'worker' }, container: 'w' }]);
	assert.deepEqual(targetsWithConfig([{ service: 'web' }], undefined), [{ service: 'web' }]);
});

test("what a session's features contribute answers tokens and adds variables; what none offers stays absent", () => {
	const target = { index: 0, namespace: 'shop', container: 'api' };
	const files = { vars: (t) => ({ KUBEBRIDGE_FILES: `/tmp/kb/${t.container}` }), volumeMount: (name, t) => (name === 'tls' ? `/tmp/kb/${t.container}/tls` : undefined) };
	const outbound = { service: (name, namespace) => (name === 'db' ? `127.1.0.2${namespace ? `#${namespace}` : ''}` : undefined), localServices: () => new Map([['db', { host: '127.1.0.2', ports: {} }]]) };
	const merged = targetEnvironment([files, outbound], target);
	assert.deepEqual(merged.vars, { KUBEBRIDGE_FILES: '/tmp/kb/api' });
	assert.deepEqual([...merged.localServices.keys()], ['db']);
	assert.equal(merged.lookups.externalEndpoint, undefined);
	const loaded = parseConfig('version: 1\nenv:\n  CERTS: $(volumeMounts:tls)\n  DB: $(services:db.data)\n  EXT: $(externalEndpoints:example.com:443)\n', '/ws/kubebridge.yaml');
	assert.throws(() => resolveConfigEnv(loaded, merged.lookups), (error) => error.data.reason === 'configTokenNeedsSession' && error.data.path === '/env/EXT'
		&& /outbound access to external endpoints/.test(error.message));
	const withoutExt = parseConfig('version: 1\nenv:\n  CERTS: $(volumeMounts:tls)\n  DB: $(services:db.data)\n', '/ws/kubebridge.yaml');
	assert.deepEqual(resolveConfigEnv(withoutExt, merged.lookups).map((v) => [v.name, v.value]), [['CERTS', '/tmp/kb/api/tls'], ['DB', '127.1.0.2#data']]);
	const missing = parseConfig('version: 1\nenv:\n  X: $(volumeMounts:nope)\n', '/ws/kubebridge.yaml');
	assert.throws(() => resolveConfigEnv(missing, merged.lookups), (error) => error.data.reason === 'configTokenUnresolved');
});

test('layering: the session over the container, the file over both, each override noted', () => {
	const container = [{ name: 'A', value: '1', source: 'literal', secret: false }, { name: 'S', value: 'pw', source: 'secret', secret: true }];
	const handed = layerEnvironment(container, { A: 'session', FILES: '/f' }, [{ name: 'A', value: 'file', references: [] }, { name: 'B', value: 'x-pw', references: ['S'] }], 'kubebridge.yaml');
	assert.deepEqual(handed.vars.map((v) => [v.name, v.value, v.source, v.secret]),
		[['A', 'file', 'config', false], ['S', 'pw', 'secret', true], ['FILES', '/f', 'session', false], ['B', 'x-pw', 'config', true]]);
	assert.deepEqual(handed.notes, [
		"The session sets A over the container's value (from literal).",
		"kubebridge.yaml sets A over the session's value (from session).",
	]);
});

test("outbound flags typed on the command line win; those not typed are kubebridge.yaml's switches", async () => {
	const { outboundOptions } = await import('../../../out/server/cli/outbound-flags.js');
	const defaults = { hostsFile: true, outbound: true, probes: false, mountFiles: true };
	const offInFile = { ...defaults, outbound: false, hostsFile: false };
	assert.deepEqual(outboundOptions({}, defaults), { hostsFile: true });
	assert.equal(outboundOptions({}, offInFile), undefined, 'the file turns outbound off');
	assert.deepEqual(outboundOptions({ outbound: true }, offInFile), { hostsFile: false }, 'the flag turns it on; the file still skips the hosts file');
	assert.deepEqual(outboundOptions({ outbound: true, hosts: true }, offInFile), { hostsFile: true });
	assert.equal(outboundOptions({ outbound: false }, defaults), undefined);
});
