import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveContainerEnvironment } from '../../../out/server/environment/env-resolver.js';
import { resolveWithLocalServices } from '../../../out/server/environment/service-rewrite.js';
import { maskSecrets, MASK } from '../../../out/server/secrets/masking.js';

const service = (name, namespace, clusterIP, ports) => ({ metadata: { name, namespace }, spec: { clusterIP, ports } });
const KUBERNETES = service('kubernetes', 'default', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]);
const SERVICES = [
	KUBERNETES,
	service('order-db', 'shop', '10.96.4.2', [{ name: 'pg', port: 5432, protocol: 'TCP' }, { name: 'metrics-http', port: 9187, protocol: 'TCP' }]),
	service('dns', 'shop', 'fd00::a', [{ port: 53, protocol: 'UDP' }]),
	service('headless', 'shop', 'None', [{ port: 80 }]),
	service('other-ns', 'billing', '10.96.9.9', [{ port: 80 }]),
];

function resolve({ env = [], enableServiceLinks, services = SERVICES, namespace = 'shop' } = {}) {
	return resolveContainerEnvironment({
		pod: { metadata: { name: 'p', namespace }, spec: { enableServiceLinks, containers: [{ name: 'app', env }] }, status: {} },
		containerName: 'app', configMaps: [], secrets: [], services,
	});
}
const asMap = (environment) => Object.fromEntries(environment.vars.map((v) => [v.name, v.value]));

test('the service variables of the namespace and the master kubernetes Service, as the kubelet names them', () => {
	assert.deepEqual(asMap(resolve()), {
		KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', KUBERNETES_SERVICE_PORT_HTTPS: '443',
		KUBERNETES_PORT: 'tcp://10.96.0.1:443', KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443', KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
		KUBERNETES_PORT_443_TCP_PORT: '443', KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
		ORDER_DB_SERVICE_HOST: '10.96.4.2', ORDER_DB_SERVICE_PORT: '5432', ORDER_DB_SERVICE_PORT_PG: '5432', ORDER_DB_SERVICE_PORT_METRICS_HTTP: '9187',
		ORDER_DB_PORT: 'tcp://10.96.4.2:5432',
		ORDER_DB_PORT_5432_TCP: 'tcp://10.96.4.2:5432', ORDER_DB_PORT_5432_TCP_PROTO: 'tcp', ORDER_DB_PORT_5432_TCP_PORT: '5432', ORDER_DB_PORT_5432_TCP_ADDR: '10.96.4.2',
		ORDER_DB_PORT_9187_TCP: 'tcp://10.96.4.2:9187', ORDER_DB_PORT_9187_TCP_PROTO: 'tcp', ORDER_DB_PORT_9187_TCP_PORT: '9187', ORDER_DB_PORT_9187_TCP_ADDR: '10.96.4.2',
		DNS_SERVICE_HOST: 'fd00::a', DNS_SERVICE_PORT: '53', DNS_PORT: 'udp://[fd00::a]:53',
		DNS_PORT_53_UDP: 'udp://[fd00::a]:53', DNS_PORT_53_UDP_PROTO: 'udp', DNS_PORT_53_UDP_PORT: '53', DNS_PORT_53_UDP_ADDR: 'fd00::a',
	});
	const host = resolve().vars.find((v) => v.name === 'ORDER_DB_SERVICE_HOST');
	assert.deepEqual(host, { name: 'ORDER_DB_SERVICE_HOST', value: '10.96.4.2', source: 'service', secret: false, service: 'order-db' });
});

test('enableServiceLinks: false leaves only the master kubernetes Service', () => {
	const names = Object.keys(asMap(resolve({ enableServiceLinks: false })));
	assert.ok(names.length > 0);
	assert.ok(names.every((name) => name.startsWith('KUBERNETES_')), names.join());
});

test("a Service named kubernetes in the pod's namespace wins over the master one, as in the kubelet", () => {
	const own = service('kubernetes', 'shop', '10.96.7.7', [{ port: 8443 }]);
	assert.equal(asMap(resolve({ services: [KUBERNETES, own] })).KUBERNETES_SERVICE_HOST, '10.96.7.7');
	assert.equal(asMap(resolve({ services: [own, KUBERNETES] })).KUBERNETES_SERVICE_HOST, '10.96.7.7');
	assert.equal(asMap(resolve({ services: [own, KUBERNETES], enableServiceLinks: false })).KUBERNETES_SERVICE_HOST, '10.96.0.1');
});

test('the pod spec outranks service variables, and $(VAR) can use them', () => {
	const env = resolve({ env: [{ name: 'ORDER_DB_SERVICE_PORT', value: '1' }, { name: 'DSN', value: 'pg://$(ORDER_DB_SERVICE_HOST):$(ORDER_DB_SERVICE_PORT)' }] });
	const map = asMap(env);
	assert.equal(map.ORDER_DB_SERVICE_PORT, '1');
	assert.equal(map.DSN, 'pg://10.96.4.2:1');
	assert.equal(env.vars.filter((v) => v.name === 'ORDER_DB_SERVICE_PORT').length, 1);
});

test('local services rewrite their variables and every expansion that used them, and list each change', () => {
	const sources = {
		pod: { metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [{ name: 'app', env: [
			{ name: 'DSN', value: 'pg://$(ORDER_DB_SERVICE_HOST):$(ORDER_DB_SERVICE_PORT)' },
			{ name: 'ORDER_DB_PORT', value: 'pinned by the pod' },
		] }] }, status: {} },
		containerName: 'app', configMaps: [], secrets: [], services: SERVICES,
	};
	const { environment, rewrites } = resolveWithLocalServices(sources, new Map([['order-db', { host: '127.1.0.2', ports: { 5432: 15432 } }]]));
	const map = asMap(environment);
	assert.equal(map.DSN, 'pg://127.1.0.2:15432');
	assert.equal(map.ORDER_DB_PORT, 'pinned by the pod');
	assert.equal(map.ORDER_DB_PORT_9187_TCP, 'tcp://127.1.0.2:9187');
	assert.equal(map.KUBERNETES_SERVICE_HOST, '10.96.0.1');
	assert.deepEqual(rewrites.find((r) => r.name === 'ORDER_DB_PORT_5432_TCP_PORT'), { name: 'ORDER_DB_PORT_5432_TCP_PORT', from: '5432', to: '15432' });
	assert.deepEqual(rewrites.map((r) => r.name).sort(), ['DSN', 'ORDER_DB_PORT_5432_TCP', 'ORDER_DB_PORT_5432_TCP_ADDR', 'ORDER_DB_PORT_5432_TCP_PORT',
		'ORDER_DB_PORT_9187_TCP', 'ORDER_DB_PORT_9187_TCP_ADDR', 'ORDER_DB_SERVICE_HOST', 'ORDER_DB_SERVICE_PORT', 'ORDER_DB_SERVICE_PORT_PG']);
	const untouched = resolveContainerEnvironment(sources);
	const changed = untouched.vars.filter((v) => map[v.name] !== v.value).map((v) => v.name).sort();
	assert.deepEqual(changed, rewrites.map((r) => r.name).sort(), 'nothing changes without a rewrite entry');
});

test('secret values are masked unless revealed', () => {
	const vars = [{ name: 'A', value: 'open', secret: false }, { name: 'B', value: 'hidden', secret: true }];
	assert.deepEqual(maskSecrets(vars).map((v) => v.value), ['open', MASK]);
	assert.deepEqual(maskSecrets(vars, true).map((v) => v.value), ['open', 'hidden']);
	assert.equal(vars[1].value, 'hidden', 'the input is not changed');
});
