import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveContainerEnvironment } from '../../../out/server/environment/env-resolver.js';
import { ErrorCodes } from '../../../out/protocol/index.js';

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');
const configMap = (name, data) => ({ metadata: { name, namespace: 'shop' }, data });
const secret = (name, data) => ({ metadata: { name, namespace: 'shop' }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });
const service = (name, namespace, clusterIP, ports) => ({ metadata: { name, namespace }, spec: { clusterIP, ports } });
const KUBERNETES = service('kubernetes', 'default', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]);

function pod(container, { sidecars = [], ...spec } = {}) {
	return {
		metadata: { name: 'api-7d4f', namespace: 'shop', uid: '0a1b-2c3d', labels: { app: 'api', tier: 'back"end' }, annotations: { note: 'line1\nline2' } },
		spec: { nodeName: 'node1', serviceAccountName: 'api-sa', containers: [{ name: 'api', ...container }, ...sidecars], ...spec },
		status: { podIP: '10.1.0.7', podIPs: [{ ip: '10.1.0.7' }, { ip: 'fd00::7' }], hostIP: '192.168.1.5', hostIPs: [{ ip: '192.168.1.5' }] },
	};
}

function resolve(container, extra = {}) {
	const { spec, ...rest } = extra;
	return resolveContainerEnvironment({ pod: pod(container, spec), containerName: 'api', configMaps: [], secrets: [], services: [], ...rest });
}
const asMap = (environment) => Object.fromEntries(environment.vars.map((v) => [v.name, v.value]));
const byName = (environment, name) => environment.vars.find((v) => v.name === name);

test('envFrom sources apply in order with their prefixes, and env overrides them', () => {
	const env = resolve({
		envFrom: [{ configMapRef: { name: 'base' } }, { prefix: 'DB_', secretRef: { name: 'db' } }, { configMapRef: { name: 'override' } }],
		env: [{ name: 'LEVEL', value: 'from-env' }],
	}, {
		configMaps: [configMap('base', { LEVEL: 'base', COLOR: 'red' }), configMap('override', { COLOR: 'blue' })],
		secrets: [secret('db', { PASSWORD: 's3cr3t' })],
	});
	assert.deepEqual(asMap(env), { COLOR: 'blue', LEVEL: 'from-env', DB_PASSWORD: 's3cr3t' });
	assert.deepEqual(byName(env, 'DB_PASSWORD'), { name: 'DB_PASSWORD', value: 's3cr3t', source: 'envFrom', secret: true, ref: { kind: 'Secret', name: 'db', key: 'PASSWORD' } });
	assert.equal(byName(env, 'COLOR').ref.name, 'override');
	assert.equal(byName(env, 'LEVEL').source, 'literal');
});

test('$(VAR) sees envFrom keys and earlier env entries, not later ones, and $$ escapes', () => {
	const env = resolve({
		envFrom: [{ configMapRef: { name: 'cfg' } }],
		env: [
			{ name: 'HOST', value: 'db.$(ZONE)' },
			{ name: 'URL', value: 'pg://$(HOST):$(PORT)/$(LATER)' },
			{ name: 'LATER', value: 'x' },
			{ name: 'LITERAL', value: '$$(HOST) costs $$5' },
		],
	}, { configMaps: [configMap('cfg', { ZONE: 'eu', PORT: '5432' })] });
	assert.equal(asMap(env).URL, 'pg://db.eu:5432/$(LATER)');
	assert.equal(asMap(env).LITERAL, '$(HOST) costs $5');
});

test('an env entry redefining an envFrom key is seen with the envFrom value before it is redefined', () => {
	const env = resolve({
		envFrom: [{ configMapRef: { name: 'cfg' } }],
		env: [{ name: 'A', value: 'first:$(B)' }, { name: 'B', value: 'env' }, { name: 'C', value: '$(B)' }],
	}, { configMaps: [configMap('cfg', { B: 'envFrom' })] });
	assert.deepEqual(asMap(env), { B: 'env', A: 'first:envFrom', C: 'env' });
});

test('a literal that expands a secret is marked secret', () => {
	const env = resolve({
		env: [
			{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
			{ name: 'DSN', value: 'user:$(PASSWORD)@db' },
			{ name: 'PLAIN', value: 'x$(UNKNOWN)' },
		],
	}, { secrets: [secret('db', { password: 'pa$$ wörd\n' })] });
	assert.deepEqual(byName(env, 'PASSWORD'), { name: 'PASSWORD', value: 'pa$$ wörd\n', source: 'secret', secret: true, ref: { kind: 'Secret', name: 'db', key: 'password' } });
	assert.equal(byName(env, 'DSN').value, 'user:pa$$ wörd\n@db');
	assert.equal(byName(env, 'DSN').secret, true);
	assert.equal(byName(env, 'PLAIN').secret, false);
	assert.equal(byName(env, 'PLAIN').value, 'x$(UNKNOWN)');
});

test('configMapKeyRef and an empty value', () => {
	const env = resolve({ env: [{ name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'level' } } }, { name: 'EMPTY', value: '' }] },
		{ configMaps: [configMap('cfg', { level: 'debug' })] });
	assert.deepEqual(byName(env, 'LEVEL'), { name: 'LEVEL', value: 'debug', source: 'configMap', secret: false, ref: { kind: 'ConfigMap', name: 'cfg', key: 'level' } });
	assert.equal(asMap(env).EMPTY, '');
});

test('optional references that do not resolve are skipped and listed; an envFrom value survives', () => {
	const env = resolve({
		envFrom: [{ configMapRef: { name: 'cfg' } }, { secretRef: { name: 'gone', optional: true } }],
		env: [
			{ name: 'KEEP', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'missing', optional: true } } },
			{ name: 'NO_MAP', valueFrom: { configMapKeyRef: { name: 'nomap', key: 'k', optional: true } } },
			{ name: 'NO_KEY', valueFrom: { secretKeyRef: { name: 'db', key: 'nokey', optional: true } } },
		],
	}, { configMaps: [configMap('cfg', { KEEP: 'from-envFrom' })], secrets: [secret('db', { user: 'u' })] });
	assert.deepEqual(asMap(env), { KEEP: 'from-envFrom' });
	assert.deepEqual(env.skipped, [
		{ name: null, reason: 'optionalMissing', ref: { kind: 'Secret', name: 'gone' } },
		{ name: 'KEEP', reason: 'optionalMissing', ref: { kind: 'ConfigMap', name: 'cfg', key: 'missing' } },
		{ name: 'NO_MAP', reason: 'optionalMissing', ref: { kind: 'ConfigMap', name: 'nomap', key: 'k' } },
		{ name: 'NO_KEY', reason: 'optionalMissing', ref: { kind: 'Secret', name: 'db', key: 'nokey' } },
	]);
});

test('a required key, ConfigMap or Secret that is missing is a typed error naming it', () => {
	const cases = [
		[{ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'db', key: 'token' } } }] }, /key 'token' in Secret shop\/db does not exist \(needed by env var X\)/],
		[{ env: [{ name: 'Y', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } }] }, /ConfigMap shop\/absent does not exist \(needed by env var Y\)/],
		[{ envFrom: [{ secretRef: { name: 'absent' } }] }, /Secret shop\/absent does not exist \(named in envFrom\)/],
	];
	for (const [container, message] of cases) {
		assert.throws(() => resolve(container, { secrets: [secret('db', { user: 'u' })] }), (error) => {
			assert.equal(error.code, ErrorCodes.EnvironmentUnresolvable);
			assert.equal(error.data.reason, 'envSourceNotFound');
			assert.match(error.message, message);
			return true;
		});
	}
});

test('envFrom keys that are not strict names are skipped by kubelets before 1.30 and kept since', () => {
	const container = { envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: '1', configMapRef: { name: 'cfg2' } }] };
	const sources = { configMaps: [configMap('cfg', { 'good.key-1': 'a', '1bad': 'b', '..dots': 'c', GOOD: 'd' }), configMap('cfg2', { X: 'e' })] };
	const old = resolve(container, { ...sources, kubeletVersion: 'v1.29.4' });
	assert.deepEqual(asMap(old), { GOOD: 'd', 'good.key-1': 'a' });
	assert.deepEqual(old.skipped.map((s) => [s.name, s.reason]), [['..dots', 'invalidName'], ['1bad', 'invalidName'], ['1X', 'invalidName']]);
	const current = resolve(container, { ...sources, kubeletVersion: 'v1.34.10' });
	assert.deepEqual(Object.keys(asMap(current)).sort(), ['..dots', '1X', '1bad', 'GOOD', 'good.key-1']);
	assert.deepEqual(current.skipped, []);
});

test('fieldRef reads every field the kubelet supports', () => {
	const fields = ['metadata.name', 'metadata.namespace', 'metadata.uid', "metadata.labels['app']", "metadata.annotations['note']", "metadata.labels['none']",
		'metadata.labels', 'metadata.annotations', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
	const env = resolve({ env: fields.map((fieldPath, i) => ({ name: `F${i}`, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } })) });
	assert.deepEqual(env.vars.map((v) => v.value), ['api-7d4f', 'shop', '0a1b-2c3d', 'api', 'line1\nline2', '',
		'app="api"\ntier="back\\"end"', 'note="line1\\nline2"', 'node1', 'api-sa', '192.168.1.5', '192.168.1.5', '10.1.0.7', '10.1.0.7,fd00::7']);
	assert.deepEqual(byName(env, 'F0'), { name: 'F0', value: 'api-7d4f', source: 'field', secret: false, field: 'metadata.name' });
});

test('fieldRef paths the kubelet refuses are typed errors', () => {
	for (const fieldPath of ['status.phase', "spec.nodeName['x']", 'metadata.generateName']) {
		assert.throws(() => resolve({ env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath } } }] }), (error) => error.data.reason === 'envFieldUnsupported' && error.data.name === fieldPath);
	}
});

test('resourceFieldRef divides, rounds up, and defaults unset limits to the node and pod limits', () => {
	const ref = (resource, divisor, containerName) => ({ resourceFieldRef: { resource, divisor, containerName } });
	const env = resolve({
		resources: { requests: { cpu: '250m', memory: '100M' }, limits: { memory: '64Mi', 'hugepages-2Mi': '4Mi' } },
		env: [
			{ name: 'REQ_CPU', valueFrom: ref('requests.cpu') },
			{ name: 'REQ_CPU_M', valueFrom: ref('requests.cpu', '1m') },
			{ name: 'REQ_MEM_MI', valueFrom: ref('requests.memory', '1Mi') },
			{ name: 'LIM_MEM', valueFrom: ref('limits.memory') },
			{ name: 'LIM_CPU_FROM_NODE', valueFrom: ref('limits.cpu', '1m') },
			{ name: 'LIM_STORAGE_NODE', valueFrom: ref('limits.ephemeral-storage', '1Gi') },
			{ name: 'HUGE', valueFrom: ref('limits.hugepages-2Mi', '1Mi') },
			{ name: 'REQ_STORAGE_UNSET', valueFrom: ref('requests.ephemeral-storage') },
			{ name: 'SIDECAR_CPU', valueFrom: ref('limits.cpu', '1m', 'sidecar') },
			{ name: 'INIT_CPU', valueFrom: ref('limits.cpu', '1m', 'setup') },
			{ name: 'ZERO_DIVISOR', valueFrom: ref('limits.memory', '0') },
		],
	}, {
		spec: {
			sidecars: [{ name: 'sidecar' }], initContainers: [{ name: 'setup' }],
			resources: { limits: { cpu: '1500m' } },
		},
		nodeAllocatable: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' },
	});
	assert.deepEqual(asMap(env), {
		REQ_CPU: '1', REQ_CPU_M: '250', REQ_MEM_MI: '96', LIM_MEM: String(64 * 1024 * 1024), LIM_CPU_FROM_NODE: '1500', LIM_STORAGE_NODE: '100', HUGE: '4',
		REQ_STORAGE_UNSET: '0', SIDECAR_CPU: '1500', INIT_CPU: '0', ZERO_DIVISOR: String(64 * 1024 * 1024),
	});
	assert.deepEqual(byName(env, 'REQ_CPU'), { name: 'REQ_CPU', value: '1', source: 'resource', secret: false, field: 'requests.cpu' });
});
