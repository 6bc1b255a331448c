// Cluster discovery through the packaged executable, as an editor drives it, checked
// against what the API server really holds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_NAMESPACE, KUBECONFIG, demoPods, issueKubeconfig, kubectlJson } from '../../helpers/cluster.mjs';
import { runExecutable, startSidecar } from '../../helpers/executable.mjs';

let sidecar;
let services;

before(async () => {
	sidecar = startSidecar({ args: ['--kubeconfig', KUBECONFIG] });
	const init = await sidecar.client.initialize({ cluster: { namespace: DEMO_NAMESPACE } });
	assert.ok(init.result, JSON.stringify(init.error));
	const response = await sidecar.client.request('cluster/services', { workDoneToken: 'list' }, 30_000);
	assert.ok(response.result, JSON.stringify(response.error));
	services = Object.fromEntries(response.result.services.map((s) => [s.name, s]));
});

after(async () => {
	await sidecar.client.request('shutdown');
	sidecar.client.notify('exit');
	assert.equal(await sidecar.exited, 0);
});

test('every service of the namespace is listed, as the API server has them', () => {
	const real = kubectlJson(['get', 'services', '-n', DEMO_NAMESPACE]).items.map((s) => s.metadata.name).sort();
	assert.deepEqual(Object.keys(services).sort(), real);
	assert.equal(services.api.clusterIP, kubectlJson(['get', 'service', 'api', '-n', DEMO_NAMESPACE]).spec.clusterIP);
});

test('a Deployment with 3 replicas: all its pods, the Deployment as owner, connectable', () => {
	const api = services.api;
	assert.deepEqual(api.pods.map((p) => p.name).sort(), demoPods('api').map((p) => p.metadata.name).sort());
	assert.ok(api.pods.every((p) => p.ready && p.node === 'node1'));
	assert.deepEqual(api.workloads, [{ kind: 'Deployment', name: 'api', replicas: 3 }]);
	assert.equal(api.connectable, true);
	assert.deepEqual(api.ports.map((p) => [p.port, p.targetPort, p.protocol, p.container]), [
		[80, 'http', 'TCP', 'api'], [9000, 9000, 'TCP', 'api'], [5353, 'stats', 'UDP', 'api'],
	]);
});

test('a pod with two containers: the port is served by the app container, the sidecar stays', () => {
	const orders = services.orders;
	assert.deepEqual(orders.containers.map((c) => c.name), ['orders', 'proxy']);
	assert.equal(orders.ports[0].container, 'orders');
	assert.equal(orders.connectable, true);
	assert.match(orders.detail, /other 1 container\(s\) keep running/);
});

test('a StatefulSet behind a headless service', () => {
	const db = services.db;
	assert.equal(db.headless, true);
	assert.deepEqual(db.workloads, [{ kind: 'StatefulSet', name: 'db', replicas: 2 }]);
	assert.deepEqual(db.pods.map((p) => p.name), ['db-0', 'db-1']);
	assert.equal(db.connectable, true);
});

test('ExternalName and no-pods services say why they cannot be connected; a UDP-only service can be', () => {
	assert.deepEqual([services.search.notConnectableReason, services.search.externalName], ['externalName', 'search.example.invalid']);
	assert.equal(services.ghost.notConnectableReason, 'noPods');
	assert.equal(services.ghost.pods.length, 0);
	assert.equal(services.stats.connectable, true, services.stats.detail);
	for (const name of ['search', 'ghost']) assert.equal(services[name].connectable, false);
});

test('progress was reported for the listing', () => {
	const progress = sidecar.client.reader.pending.filter((m) => m.method === '$/progress' && m.params.token === 'list');
	assert.deepEqual(progress.map((m) => m.params.value.kind), ['begin', 'report', 'end']);
});

test('namespaces are listed; a missing namespace is a typed error', async () => {
	const { result } = await sidecar.client.request('cluster/namespaces', {});
	const names = result.namespaces.map((n) => n.name);
	for (const ns of ['default', 'kube-system', DEMO_NAMESPACE]) assert.ok(names.includes(ns), ns);
	assert.equal(result.current, DEMO_NAMESPACE);
	const missing = await sidecar.client.request('cluster/services', { namespace: 'no-such-namespace' });
	assert.equal(missing.error.data.reason, 'namespaceNotFound');
});

test('with least privilege: listing works with read access, and a missing permission is a typed forbidden', async () => {
	const readable = ['services', 'pods'];
	const reader = issueKubeconfig({
		user: 'discovery-reader', namespace: DEMO_NAMESPACE,
		rules: [{ apiGroups: [''], resources: readable, verbs: ['list'] }, { apiGroups: ['apps'], resources: ['replicasets', 'deployments', 'statefulsets'], verbs: ['list'] }],
	});
	const blind = issueKubeconfig({
		user: 'discovery-blind', namespace: DEMO_NAMESPACE, rules: [{ apiGroups: [''], resources: ['services'], verbs: ['list'] }],
	});
	try {
		const ok = runExecutable(['services', '--kubeconfig', reader.kubeconfig, '-o', 'json']);
		assert.equal(ok.status, 0, ok.stderr);
		const listed = JSON.parse(ok.stdout);
		assert.equal(listed.namespace, DEMO_NAMESPACE);
		assert.equal(listed.services.find((s) => s.name === 'api').workloads[0].kind, 'Deployment');
		const denied = runExecutable(['services', '--kubeconfig', blind.kubeconfig, '-o', 'json']);
		assert.equal(denied.status, 1);
		const { error } = JSON.parse(denied.stdout);
		assert.equal(error.code, -33102);
		assert.equal(error.data.reason, 'forbidden');
		assert.equal(error.data.context, 'discovery-blind');
	} finally {
		reader.revoke();
		blind.revoke();
	}
});

test('the CLI prints the services as a table', () => {
	const run = runExecutable(['services', '--kubeconfig', KUBECONFIG, '-n', DEMO_NAMESPACE]);
	assert.equal(run.status, 0, run.stderr);
	const rows = run.stdout.trim().split('\n');
	assert.match(rows[0], /^NAME\s+TYPE\s+PORTS\s+PODS\s+WORKLOAD\s+CONNECTABLE$/);
	assert.match(run.stdout, /\napi\s+ClusterIP\s+\S+\s+3\/3\s+Deployment\/api\s+yes\n/);
	assert.match(run.stdout, /\nsearch\s+ExternalName\s+-\s+-\s+-\s+no \(externalName\)/);
});
