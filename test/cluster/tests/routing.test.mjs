// Header routing and mirror on the real cluster, in a namespace the `restricted` Pod Security
// Standard guards, as developers bound to the documented Role: two sessions share `api`
// with their own header values while callers without the header keep reaching the
// original pods, over HTTP/1.1 keep-alive and HTTP/2; one session is killed with SIGKILL
// and the other keeps its route; the last one out leaves the Deployment and the Service
// exactly as they were. A mirror session sees a copy of every request the originals answer.
import { test, before } from 'node:test';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { issueKubeconfig } from '../../helpers/cluster.mjs';
import { DEVELOPER_RULES, ROUTING_RULES } from '../../helpers/developer-role.mjs';
import { dualServer } from '../../helpers/dual-server.mjs';
import { startSidecar } from '../../helpers/executable.mjs';
import { clusterTestSpace } from '../../helpers/test-space.mjs';
import {
	AGENT_IMAGE, apply, clientManifests, comparableObject, createNamespace, disconnectAndExit, inClient, kubectlJsonAsync, podsOf,
	RESTRICTED_CONTAINER, rolloutDone, waitFor,
} from '../../helpers/workload-fixtures.mjs';
import { oneContainerWorkload } from '../../helpers/workload-manifest.mjs';

const space = clusterTestSpace('kb-routing');
const { ns } = space;
const COUNT = 100;
let kubeconfig;

/** `name`: replicas of a server that answers HTTP/1.1 and HTTP/2 on 8080 with its pod name, behind a Service on 80. */
function appManifests(name, replicas) {
	return [
		oneContainerWorkload(ns, name, {
			name: 'app', image: AGENT_IMAGE, imagePullPolicy: 'IfNotPresent',
			command: ['/usr/local/bin/node', '-e', `(${dualServer})({ port: 8080, name: process.env.HOSTNAME })`],
			ports: [{ name: 'http', containerPort: 8080 }],
			readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 },
			securityContext: RESTRICTED_CONTAINER,
		}, { replicas, pod: { terminationGracePeriodSeconds: 2 } }),
		{ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels: { app: name } }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
	];
}

before(async () => {
	createNamespace(ns, { 'pod-security.kubernetes.io/enforce': 'restricted' });
	apply([...appManifests('api', 2), ...appManifests('web', 1), ...clientManifests(ns)]);
	await Promise.all([rolloutDone(ns, 'api'), rolloutDone(ns, 'web'), rolloutDone(ns, 'client')]);
	kubeconfig = issueKubeconfig({ user: `dev-${ns}`, namespace: ns, rules: [...DEVELOPER_RULES, ...ROUTING_RULES] }).kubeconfig;
});

/** The originals as they are: what "unchanged" and "restored exactly" compare. */
async function clusterState() {
	return {
		deployment: await comparableObject('deployment', ns, 'api'),
		service: await comparableObject('service', ns, 'api'),
		pods: (await podsOf(ns, 'app=api')).map((p) => `${p.metadata.uid}/${p.status.containerStatuses?.[0]?.restartCount}`).sort(),
	};
}

async function connect(target, extra = {}) {
	const sidecar = startSidecar({ args: ['--kubeconfig', kubeconfig] });
	space.sidecars.push(sidecar);
	const init = await sidecar.client.initialize({ cluster: { namespace: ns } });
	assert.ok(init.result, JSON.stringify(init.error));
	const response = await sidecar.client.request('session/connect', { targets: [{ service: 'api', ...target }], workDoneToken: 'connect', ...extra }, 180_000);
	assert.ok(response.result, `${JSON.stringify(response.error)}\n${sidecar.stderr()}`);
	return { sidecar, connected: response.result };
}

/**
 * From the client pod: `count` requests per kind (`x-dev: alice`, `x-dev: bob`, none),
 * interleaved on ONE HTTP/1.1 keep-alive connection, then as interleaved streams of ONE
 * HTTP/2 connection; who answered each.
 */
const callsScript = (count) => `
const http = require('node:http');
const http2 = require('node:http2');
const kinds = ['alice', 'bob', null];
const headersOf = (i) => kinds[i % 3] ? { 'x-dev': kinds[i % 3] } : {};
(async () => {
	const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
	const sockets = new Set();
	const h1 = [];
	for (let i = 0; i < ${count} * 3; i++) {
		h1.push(await new Promise((resolve) => {
			const req = http.get({ host: 'api', port: 80, path: '/h1-' + i, agent, headers: headersOf(i), timeout: 10000 }, (res) => {
				let body = '';
				res.on('data', (d) => { body += d; });
				res.on('end', () => { try { resolve({ i, kind: kinds[i % 3], ...JSON.parse(body) }); } catch { resolve({ i, kind: kinds[i % 3], status: res.statusCode, raw: body }); } });
			});
			req.on('socket', (s) => sockets.add(s));
			req.on('timeout', () => req.destroy(new Error('timeout')));
			req.on('error', (e) => resolve({ i, kind: kinds[i % 3], error: e.message }));
		}));
	}
	agent.destroy();
	const session = http2.connect('http://api:80');
	session.on('error', () => undefined);
	const one = (i) => new Promise((resolve) => {
		const stream = session.request({ ':path': '/h2-' + i, ...headersOf(i) });
		let body = '';
		stream.on('data', (d) => { body += d; });
		stream.on('end', () => { try { resolve({ i, kind: kinds[i % 3], ...JSON.parse(body) }); } catch { resolve({ i, kind: kinds[i % 3], raw: body }); } });
		stream.on('error', (e) => resolve({ i, kind: kinds[i % 3], error: e.message }));
		stream.end();
	});
	const h2 = [];
	for (let start = 0; start < ${count} * 3; start += 30) h2.push(...await Promise.all(Array.from({ length: Math.min(30, ${count} * 3 - start) }, (_, k) => one(start + k))));
	session.close();
	console.log(JSON.stringify({ h1, h2, h1Connections: sockets.size }));
})();`;

/** The sessions whose routes the router that answers a probe through the Service knows. */
const routerSessionsScript = `
require('node:http').get({ host: 'api', port: 80, path: '/', headers: { 'kubebridge-route-probe': '1' }, agent: false }, (res) => {
	res.resume();
	console.log(JSON.stringify((res.headers['kubebridge-routes'] ?? '').split(',').filter(Boolean)));
}).on('error', (e) => console.log(JSON.stringify([e.message])));`;

/** Each answer came from where its header says: `expect(kind)` is the set of names allowed to answer it. */
function assertRouted(calls, expect, t) {
	const tally = (answers) => Object.entries(Object.groupBy(answers, (a) => `${a.kind ?? 'none'}→${a.who ?? a.error ?? a.raw}`)).map(([k, v]) => `${k}: ${v.length}`).join(', ');
	t.diagnostic(`HTTP/1.1 ${tally(calls.h1)}; HTTP/2 ${tally(calls.h2)}`);
	assert.equal(calls.h1Connections, 1, 'every HTTP/1.1 request shared one keep-alive connection');
	for (const [proto, answers] of [['HTTP/1.1', calls.h1], ['HTTP/2', calls.h2]]) {
		const wrong = answers.filter((a) => !expect(a.kind).has(a.who));
		assert.equal(answers.length, COUNT * 3);
		assert.deepEqual(wrong.slice(0, 5), [], `${proto}: ${wrong.length} of ${answers.length} answers came from the wrong place`);
	}
}

test('two sessions route their own header values; callers without the header reach the originals; one is killed, the other keeps its route; the last out restores exactly', async (t) => {
	const before = await clusterState();
	const originals = new Set((await podsOf(ns, 'app=api')).map((p) => p.metadata.name));
	const alice = await dualServer({ host: '127.0.0.1', name: 'alice' });
	const bob = await dualServer({ host: '127.0.0.1', name: 'bob' });
	try {
		const hostsPath = join(space.folder, 'hosts');
		writeFileSync(hostsPath, '127.0.0.1 localhost\n');
		const a = await connect({ localPort: alice.port, route: { header: 'X-Dev', value: 'alice' } }, { outbound: { hostsFile: false, hostsPath } });
		const b = await connect({ localPort: bob.port, route: { header: 'x-dev', value: 'bob' } });
		t.diagnostic(`routes in place: ${JSON.parse((await kubectlJsonAsync(['get', 'service', 'api', '-n', ns])).metadata.annotations['kubebridge.io/routing']).routes.map((r) => `${r.header}=${r.value}`).join(', ')}`);
		assert.equal(a.connected.targets[0].mode, 'replace');
		assert.deepEqual(a.connected.targets[0].route, { header: 'X-Dev', value: 'alice' });
		assert.equal(a.connected.targets[0].router, 'kubebridge-router-api');
		assert.ok(b.sidecar.client.reader.pending.some((m) => m.method === 'session/didChangeState' && m.params.change === 'routeAdded'
			&& m.params.route?.header?.value === 'bob'), 'didChangeState tells the route');

		// While shared, the service still reads as the workload behind it, and its container's environment is the app's.
		const listed = (await a.sidecar.client.request('cluster/services', { namespace: ns })).result.services.find((svc) => svc.name === 'api');
		assert.deepEqual(listed.workloads.map((w) => `${w.kind}/${w.name}`), ['Deployment/api']);
		const env = await a.sidecar.client.request('environment/get', { target: { service: 'api' } }, 60_000);
		assert.equal(env.result?.container, 'app', JSON.stringify(env.error));
		assert.ok(originals.has(env.result.pod), 'the values are an original pod\'s');
		const diagnostics = await a.sidecar.client.request('diagnostics/get', {}, 60_000);
		assert.deepEqual(diagnostics.result.session.targets.map((tg) => [tg.mode, tg.route?.value, tg.router]), [['replace', 'alice', 'kubebridge-router-api']]);

		// The local program's own calls carry the session's header on, unless they carry one already.
		const web = a.connected.outbound.services.find((svc) => svc.service === 'web');
		const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
		const viaOutbound = (headers) => new Promise((resolve, reject) => {
			http.get({ host: web.address, port: web.ports[0].localPort, path: '/from-laptop', headers, agent: keepAlive }, (res) => {
				let body = '';
				res.on('data', (d) => { body += d; });
				res.on('end', () => resolve(JSON.parse(body)));
			}).on('error', reject);
		});
		assert.equal((await viaOutbound({})).header, 'alice');
		assert.equal((await viaOutbound({ 'x-dev': 'bob' })).header, 'bob');
		assert.equal((await viaOutbound({})).header, 'alice', 'per request on one keep-alive connection');
		keepAlive.destroy();

		// The originals keep running unchanged while routed.
		const during = await clusterState();
		assert.deepEqual(during.deployment, before.deployment);
		assert.deepEqual(during.pods, before.pods);

		const calls = await inClient(ns, callsScript(COUNT));
		assertRouted(calls, (kind) => (kind === 'alice' ? new Set(['alice']) : kind === 'bob' ? new Set(['bob']) : originals), t);
		assert.equal(alice.seen.filter((s) => s.proto === 'h2').length, COUNT, 'the HTTP/2 requests reached the local process as HTTP/2');

		// A second value equal to a routed one is refused with a reason.
		const clash = startSidecar({ args: ['--kubeconfig', kubeconfig] });
		space.sidecars.push(clash);
		await clash.client.initialize({ cluster: { namespace: ns } });
		const refused = await clash.client.request('session/connect', { targets: [{ service: 'api', localPort: bob.port, route: { header: 'x-dev', value: 'alice' } }] }, 180_000);
		assert.equal(refused.error?.data?.reason, 'routeTaken', JSON.stringify(refused));
		clash.child.kill('SIGTERM');

		// kill -9 of one session: its restorer takes only its own route away.
		b.sidecar.child.kill('SIGKILL');
		const killed = Date.now();
		await waitFor('the killed session\'s route to go', async () => {
			const service = await kubectlJsonAsync(['get', 'service', 'api', '-n', ns]);
			const record = JSON.parse(service.metadata.annotations?.['kubebridge.io/routing'] ?? '{"routes":[]}');
			return record.routes.length === 1 && record.routes[0].value === 'alice';
		}, { ms: 90_000, every: 1000 });
		// The routers read the routes every second: the next calls wait until the one that answers knows.
		await waitFor('the router to drop the killed session\'s route', async () => {
			const known = await inClient(ns, routerSessionsScript);
			return known.length === 1 && known[0] === a.connected.sessionId;
		}, { ms: 30_000, every: 500 });
		t.diagnostic(`the killed session's route went ${Math.round((Date.now() - killed) / 1000)} s after SIGKILL`);
		const after = await inClient(ns, callsScript(COUNT));
		assertRouted(after, (kind) => (kind === 'alice' ? new Set(['alice']) : originals), t);

		const disconnected = await disconnectAndExit(a.sidecar);
		assert.deepEqual(disconnected.restored, [`Service/${ns}/api`]);
		assert.deepEqual(await clusterState(), before, 'the Deployment, the Service and the original pods are exactly as before');
		await waitFor('the router and every session object to go', async () => {
			const left = await kubectlJsonAsync(['get', 'deployments,services,pods,leases,serviceaccounts,roles,rolebindings', '-n', ns, '-l', 'kubebridge.io/role']);
			const session = await kubectlJsonAsync(['get', 'pods,leases', '-n', ns, '-l', 'kubebridge.io/session']);
			return left.items.length === 0 && session.items.length === 0;
		}, { ms: 60_000, every: 1000 });
	} finally {
		await alice.close();
		await bob.close();
	}
});

test('mirror beside a route: the originals answer every request without the header, the mirror gets a copy of each; both disconnect and the Service is exactly as before', async (t) => {
	const before = await clusterState();
	const originals = new Set((await podsOf(ns, 'app=api')).map((p) => p.metadata.name));
	const local = await dualServer({ host: '127.0.0.1', name: 'mirror' });
	const alice = await dualServer({ host: '127.0.0.1', name: 'alice' });
	try {
		const m = await connect({ localPort: local.port, mode: 'mirror' });
		assert.equal(m.connected.targets[0].mode, 'mirror');
		assert.equal(m.connected.targets[0].route, null);
		const r = await connect({ localPort: alice.port, route: { header: 'x-dev', value: 'alice' } });
		const calls = await inClient(ns, callsScript(COUNT));
		assertRouted(calls, (kind) => (kind === 'alice' ? new Set(['alice']) : originals), t);
		const paths = new Set([...calls.h1.map((c) => `/h1-${c.i}`), ...calls.h2.map((c) => `/h2-${c.i}`)]);
		await waitFor('a copy of every request at the mirror', () => [...paths].every((p) => local.seen.some((s) => s.path === p)), { ms: 30_000, every: 500 });
		assert.equal(local.seen.length, paths.size, 'one copy of each request, no more');
		t.diagnostic(`the mirror saw ${local.seen.length} copies (${local.seen.filter((s) => s.proto === 'h2').length} over HTTP/2)`);

		assert.deepEqual((await disconnectAndExit(r.sidecar)).restored, [], 'the route goes, the mirror keeps the Service shared');
		const routing = JSON.parse((await kubectlJsonAsync(['get', 'service', 'api', '-n', ns])).metadata.annotations['kubebridge.io/routing']);
		assert.deepEqual(routing.routes.map((e) => e.mode), ['mirror']);
		assert.deepEqual((await disconnectAndExit(m.sidecar)).restored, [`Service/${ns}/api`]);
		assert.deepEqual(await clusterState(), before);
	} finally {
		await local.close();
		await alice.close();
	}
});

test('the last session killed: its restorer writes the Service back exactly and the router goes with its lease', async (t) => {
	const before = await clusterState();
	const alice = await dualServer({ host: '127.0.0.1', name: 'alice' });
	try {
		const a = await connect({ localPort: alice.port, route: { header: 'x-dev', value: 'alice' } });
		assert.notDeepEqual((await comparableObject('service', ns, 'api')).spec.selector, before.service.spec.selector);
		a.sidecar.child.kill('SIGKILL');
		const killed = Date.now();
		await waitFor('the Service to be written back', async () => JSON.stringify((await clusterState()).service) === JSON.stringify(before.service), { ms: 90_000, every: 1000 });
		t.diagnostic(`the Service was written back ${Math.round((Date.now() - killed) / 1000)} s after SIGKILL`);
		assert.deepEqual(await clusterState(), before);
		await waitFor('the router and the session objects to go', async () => {
			const left = await kubectlJsonAsync(['get', 'deployments,services,pods,leases', '-n', ns, '-l', 'kubebridge.io/role']);
			return left.items.length === 0;
		}, { ms: 60_000, every: 1000 });
		const calls = await inClient(ns, callsScript(10));
		assert.ok([...calls.h1, ...calls.h2].every((c) => c.who?.startsWith('api-')), 'every caller reaches an original pod');
	} finally {
		await alice.close();
	}
});
