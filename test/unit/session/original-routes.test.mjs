// Disconnect's wait for a restored service to route to its original pods only: what the
// API server says first (originals Ready, agents gone, EndpointSlices), then dials of the
// cluster IP from the restorer. The cluster's objects are an in-memory store whose state
// moves on with each poll, and the dial seam is faked: a dial that connects reached an
// original, one that hangs or fails met a stale rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { waitForOriginalRoutes } from '../../../out/server/session/original-routes.js';
import { probesInARow } from '../../../out/server/session/proxy-routes.js';
import { Logger } from '../../../out/server/log/logger.js';

const SESSION = 's1';
const NS = 'shop';
const CLUSTER_IP = '10.96.0.50';

const pod = (name, { agent = false, ready = true, terminating = false } = {}) => ({
	apiVersion: 'v1', kind: 'Pod',
	metadata: {
		name, uid: `uid-${name}`, namespace: NS,
		labels: { app: 'api', ...(agent ? { 'kubebridge.io/session': SESSION, 'kubebridge.io/target': '0' } : {}) },
		...(terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
	},
	status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const restorer = { ...pod(`kubebridge-restorer-${SESSION}`), metadata: { name: `kubebridge-restorer-${SESSION}`, namespace: NS, labels: { 'kubebridge.io/session': SESSION, 'kubebridge.io/role': 'restorer' } } };
const endpoint = (p, ready = true) => ({ targetRef: { kind: 'Pod', name: p.metadata.name, uid: p.metadata.uid }, conditions: { ready } });

/** The cluster as the wait reads it: `states[i]` is what the i-th poll sees; the last one stays. */
function fakeCluster(states, { clusterIP = CLUSTER_IP, restorerPod = restorer } = {}) {
	let poll = -1;
	const now = () => states[Math.max(0, Math.min(poll, states.length - 1))];
	return {
		get poll() { return poll; },
		now,
		objects: {
			async read(ref) {
				if (ref.kind === 'Deployment') {
					poll++;
					return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: NS }, spec: { replicas: 2, selector: { matchLabels: { app: 'api' } } } };
				}
				if (ref.kind === 'Service') return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: NS }, spec: { clusterIP } };
				if (ref.kind === 'Pod' && ref.name === restorer.metadata.name) return restorerPod;
				return null;
			},
			async list(apiVersion, kind, namespace, selector) {
				const { pods, endpoints } = now();
				if (kind === 'EndpointSlice') return [{ endpoints }];
				if (selector.includes('kubebridge.io/session')) return pods.filter((p) => p.metadata.labels['kubebridge.io/session'] === SESSION);
				return pods;
			},
			create: async () => { throw new Error('the wait writes nothing'); },
			replace: async () => { throw new Error('the wait writes nothing'); },
			delete: async () => { throw new Error('the wait writes nothing'); },
		},
	};
}

const apiTarget = (service = 'api') => ({
	index: 0, ref: { kind: 'Deployment', name: 'api', namespace: NS },
	plan: { label: service ? `service/${service}` : 'deployment/api', service, namespace: NS, servicePorts: new Map([[8080, 80]]) },
});

/** Dials recorded with what the cluster looked like then; `behave(n)` decides the n-th: 'connect', 'hang' or 'fail'. */
function fakeDial(cluster, behave) {
	const dials = [];
	const dial = (namespace, host, port, signal, dialMs) => {
		const n = dials.length;
		dials.push({ namespace, host, port, agentsLeft: cluster.now().pods.filter((p) => p.metadata.labels['kubebridge.io/session']).length });
		const how = behave(n);
		if (how === 'connect') return Promise.resolve({ socket: new PassThrough(), head: Buffer.alloc(0), headers: {} });
		if (how === 'fail') return Promise.reject(new Error('the agent answered 502: Bad Gateway'));
		// A hang ends where the dial's own bound does, as the real dial's does once its forward is open.
		const bound = AbortSignal.any([signal, AbortSignal.timeout(dialMs)]);
		return new Promise((_, reject) => bound.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
	};
	return { dials, dial };
}

function recorder() {
	const reports = [];
	const logger = new Logger(null);
	const warnings = [];
	logger.attach((entry) => { if (entry.level === 'warning') warnings.push(entry); });
	return { reports, warnings, logger, report: (message) => reports.push(message) };
}

const [a1, a2] = [pod('api-agent-1', { agent: true }), pod('api-agent-2', { agent: true })];
const [o1, o2] = [pod('api-orig-1'), pod('api-orig-2')];

test('waits for the originals, for the agents to be gone and out of the EndpointSlices, then for dials in a row to connect', async () => {
	const cluster = fakeCluster([
		{ pods: [a1, a2, o1, pod('api-orig-2', { ready: false })], endpoints: [endpoint(a1), endpoint(a2), endpoint(o1)] },
		{ pods: [pod('api-agent-1', { agent: true, terminating: true }), o1, o2], endpoints: [endpoint(a1, false), endpoint(o1), endpoint(o2)] },
		{ pods: [o1, o2], endpoints: [endpoint(a1, false), endpoint(o1), endpoint(o2)] },
		{ pods: [o1, o2], endpoints: [endpoint(o1), endpoint(o2)] },
	]);
	// Stale rules first: two dials hang and one fails before the proxy caught up.
	const { dials, dial } = fakeDial(cluster, (n) => (n === 1 || n === 2 ? 'hang' : n === 5 ? 'fail' : 'connect'));
	const { reports, warnings, logger, report } = recorder();
	const stale = await waitForOriginalRoutes([apiTarget()], { objects: cluster.objects, session: SESSION, dial }, report, logger);
	assert.deepEqual(stale, []);
	assert.deepEqual(warnings, []);
	assert.ok(dials.length > 0 && dials.every((d) => d.agentsLeft === 0), 'no dial before every agent pod is gone, a terminating one included');
	assert.ok(dials.every((d) => d.namespace === NS && d.host === CLUSTER_IP && d.port === 80), 'the cluster IP on the service port, from the target namespace');
	// Each miss starts the count again: the last misses are followed by a full run of successes (6 per endpoint + 1).
	const lastMiss = 5;
	assert.ok(dials.length - (lastMiss + 1) >= probesInARow(2), `${dials.length} dials`);
	assert.equal(probesInARow(2), 18);
	assert.ok(reports.includes('service/api: 1/2 original pods ready, 2 agent pod(s) still there (api-agent-1, api-agent-2), '
		+ 'the EndpointSlices of service api still list api-agent-1, api-agent-2'), reports.join('\n'));
	assert.ok(reports.some((r) => r.includes('1 agent pod(s) still there (api-agent-1)')), 'a terminating agent still counts');
	assert.ok(reports.includes('service/api: the EndpointSlices of service api still list api-agent-1'), 'an unready endpoint of an agent still counts');
	assert.ok(reports.includes("service/api: waiting for the cluster's proxy to route to the original pods"));
});

test('dials that never connect: past the bound disconnect goes on, and says what is still stale', async () => {
	const cluster = fakeCluster([{ pods: [o1, o2], endpoints: [endpoint(o1), endpoint(o2)] }]);
	const { dials, dial } = fakeDial(cluster, (n) => (n % 2 ? 'hang' : 'fail'));
	const { reports, warnings, logger, report } = recorder();
	const stale = await waitForOriginalRoutes([apiTarget()], { objects: cluster.objects, session: SESSION, dial }, report, logger, { podsMs: 5000, routesMs: 1500 });
	assert.equal(stale.length, 1);
	assert.equal(stale[0].target, 'service/api');
	assert.match(stale[0].reason, /not seen routing to the original pods only \(a connection to 10\.96\.0\.50:80 failed \(allowed \d+ ms once a forward was open\): (aborted|the agent answered 502)/);
	assert.ok(dials.length >= 4);
	assert.equal(warnings.length, 1);
	assert.equal(warnings[0].fields.target, 'service/api');
	assert.ok(reports.at(-1).startsWith(`service/api: ${stale[0].reason}; some callers may still be sent`), reports.at(-1));
});

test('originals that do not become ready within the bound are named as what is stale, and nothing is dialled', async () => {
	const cluster = fakeCluster([{ pods: [o1, pod('api-orig-2', { ready: false })], endpoints: [endpoint(o1)] }]);
	const { dials, dial } = fakeDial(cluster, () => 'connect');
	const { logger, report } = recorder();
	const stale = await waitForOriginalRoutes([apiTarget()], { objects: cluster.objects, session: SESSION, dial }, report, logger, { podsMs: 1200, routesMs: 1500 });
	assert.deepEqual(stale, [{ target: 'service/api', reason: '1/2 original pods ready' }]);
	assert.equal(dials.length, 0);
});

test('a headless service and a workload target are not dialled: no proxy stands between their callers and the pods', async () => {
	for (const [target, options] of [[apiTarget(), { clusterIP: 'None' }], [apiTarget(null), {}]]) {
		const cluster = fakeCluster([{ pods: [o1, o2], endpoints: [endpoint(o1), endpoint(o2)] }], options);
		const { dials, dial } = fakeDial(cluster, () => 'connect');
		const { logger, report } = recorder();
		assert.deepEqual(await waitForOriginalRoutes([target], { objects: cluster.objects, session: SESSION, dial }, report, logger), []);
		assert.equal(dials.length, 0);
	}
});

test('without a running restorer there is nowhere to dial from: the target is reported stale at once', async () => {
	const cluster = fakeCluster([{ pods: [o1, o2], endpoints: [endpoint(o1), endpoint(o2)] }], { restorerPod: null });
	const { dials, dial } = fakeDial(cluster, () => 'connect');
	const { logger, report } = recorder();
	const stale = await waitForOriginalRoutes([apiTarget()], { objects: cluster.objects, session: SESSION, dial }, report, logger);
	assert.equal(dials.length, 0);
	assert.match(stale[0].reason, /restorer pod in shop is not running/);
});
