// session/connect against the real cluster, driven through the packaged executable as an
// editor drives it, as a developer bound to the documented Role. Callers are pods of the
// demo app; the "local process" is a server of this test on 127.0.0.1.
import { spawn } from 'node:child_process';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_NAMESPACE, demoPods, issueKubeconfig, kubectl, kubectlJson } from '../../helpers/cluster.mjs';
import { DEVELOPER_RULES } from '../../helpers/developer-role.mjs';
import { startSidecar } from '../../helpers/executable.mjs';
import { httpGets, tcpEcho } from '../../helpers/in-pod.mjs';
import { startLocalEcho, startLocalHttp } from '../../helpers/local-servers.mjs';
import { AGENT_IMAGE, UNPULLABLE_IMAGE } from '../../helpers/workload-fixtures.mjs';

let developer;

before(() => {
	developer = issueKubeconfig({ user: 'kb-developer', namespace: DEMO_NAMESPACE, rules: DEVELOPER_RULES });
});
after(() => developer.revoke());

/** A sidecar as an editor starts it, initialized for the demo namespace. */
async function sidecar(args = []) {
	const running = startSidecar({ args: ['--kubeconfig', developer.kubeconfig, ...args] });
	const init = await running.client.initialize({ cluster: { namespace: DEMO_NAMESPACE } });
	assert.ok(init.result?.capabilities.supportsSessions, JSON.stringify(init.error));
	return running;
}

async function close(running) {
	await running.client.request('shutdown', undefined, 120_000);
	running.client.notify('exit');
	assert.equal(await running.exited, 0);
}

/** What a workload's spec is, without what Kubernetes manages. */
function specOf(kind, name) {
	return kubectlJson(['get', kind, name, '-n', DEMO_NAMESPACE]).spec;
}

const webPod = () => demoPods('web')[0].metadata.name;

/** Waits until the garbage collector removed every object of a session (the restorer goes with the lease). */
async function sessionObjectsGone(ms = 30_000) {
	const deadline = Date.now() + ms;
	for (;;) {
		const left = kubectlJson(['get', 'leases,pods,serviceaccounts,roles,rolebindings', '-n', DEMO_NAMESPACE, '-l', 'kubebridge.io/session']).items;
		if (left.length === 0) return;
		if (Date.now() > deadline) assert.fail(`left after ${ms / 1000} s: ${left.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}
const notifications = (client, change) => client.reader.pending.filter((m) => m.method === 'session/didChangeState' && m.params.change === change);

test('two services in one session: every replica of api and the two-container orders pod answer from this machine; disconnect restores both exactly', async () => {
	const before = { api: specOf('deployment', 'api'), orders: specOf('deployment', 'orders') };
	const apiLocal = await startLocalHttp('local-api');
	const ordersLocal = await startLocalHttp('local-orders');
	const echo = await startLocalEcho();
	const running = await sidecar();
	try {
		const connected = await running.client.request('session/connect', {
			workDoneToken: 'c1',
			targets: [
				{ service: 'api', localPort: apiLocal.port, ports: [{ remote: 9000, local: echo.port }] },
				{ service: 'orders', localPort: ordersLocal.port },
			],
		}, 180_000);
		assert.ok(connected.result, JSON.stringify(connected.error));
		const [api, orders] = connected.result.targets;
		assert.equal(api.agentPods.length, 3, 'every replica is an agent: no scale-down');
		assert.deepEqual(api.ports.find((p) => p.remote === 8080), { remote: 8080, local: apiLocal.port, protocol: 'TCP', servicePort: 80 });
		assert.deepEqual(api.ports.find((p) => p.protocol === 'UDP'), { remote: 5353, local: 5353, protocol: 'UDP', servicePort: 5353 }, 'the UDP port is redirected too');
		assert.equal(orders.container, 'orders');
		assert.ok(running.client.reader.pending.some((m) => m.method === '$/progress' && m.params.token === 'c1' && m.params.value.kind === 'end'));

		// The sidecar container of orders keeps running as it was; only the app container is the agent.
		const ordersPod = kubectlJson(['get', 'pods', '-n', DEMO_NAMESPACE, '-l', 'app=orders']).items.find((p) => !p.metadata.deletionTimestamp);
		const images = Object.fromEntries(ordersPod.spec.containers.map((c) => [c.name, c.image]));
		assert.deepEqual(images, { orders: AGENT_IMAGE, proxy: 'kubebridge.local/demo:dev' });
		assert.ok(ordersPod.status.containerStatuses.every((s) => s.ready));

		const answers = await httpGets(webPod(), 'http://api', 45);
		assert.ok(answers.every((a) => a.status === 200 && JSON.parse(a.body).answeredBy === 'local-api'), JSON.stringify(answers.slice(0, 3)));
		const [ordersAnswer] = await httpGets(webPod(), 'http://orders.kb-demo.svc.cluster.local', 1);
		assert.equal(JSON.parse(ordersAnswer.body).answeredBy, 'local-orders');
		const status = await running.client.request('session/status', {});
		const apiAgents = status.result.agents.filter((a) => a.pod.startsWith('api-'));
		assert.equal(apiAgents.length, 3);
		assert.ok(apiAgents.every((a) => a.state === 'serving' && a.totalConnections > 0), `every replica carried calls: ${JSON.stringify(apiAgents)}`);

		const echoed = await tcpEcho(webPod(), 'api', 9000, 4);
		assert.deepEqual(echoed, { sent: 4 * 1024 * 1024, received: 4 * 1024 * 1024, equal: true }, 'raw TCP, both ways, ends with a half-close');

		// The local process stops: callers are reset at once, the pods stay Ready, and the client is told once.
		await apiLocal.close();
		const refused = await httpGets(webPod(), 'http://api', 3);
		assert.ok(refused.every((r) => r.error === 'ECONNRESET' && r.ms < 3000), JSON.stringify(refused));
		assert.ok(demoPods('api').every((p) => p.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True')));
		await running.client.reader.next((m) => m.method === 'session/didChangeState' && m.params.change === 'localPortRefused', 5000);
		assert.equal(notifications(running.client, 'localPortRefused').length, 0, 'said once');

		const disconnected = await running.client.request('session/disconnect', {}, 180_000);
		assert.deepEqual(disconnected.result.restored.sort(), ['Deployment/kb-demo/api', 'Deployment/kb-demo/orders']);
		assert.deepEqual(specOf('deployment', 'api'), before.api);
		assert.deepEqual(specOf('deployment', 'orders'), before.orders);
		const original = await httpGets(webPod(), 'http://api', 3);
		assert.ok(original.every((a) => JSON.parse(a.body).service === 'api'), 'the original pods answer again');
		await sessionObjectsGone();
	} finally {
		await close(running);
		await Promise.all([ordersLocal.close(), echo.close()]);
	}
});

test('a StatefulSet behind a headless service: pod names reach this machine; SIGTERM restores it exactly', async () => {
	const before = specOf('statefulset', 'db');
	const local = await startLocalHttp('local-db');
	const running = await sidecar();
	try {
		const connected = await running.client.request('session/connect', { targets: [{ service: 'db', localPort: local.port }] }, 180_000);
		assert.ok(connected.result, JSON.stringify(connected.error));
		assert.deepEqual(connected.result.targets[0].workload, { kind: 'StatefulSet', name: 'db' });
		assert.equal(connected.result.targets[0].agentPods.length, 2);
		for (const host of ['db-0.db', 'db-1.db.kb-demo.svc.cluster.local']) {
			const [answer] = await httpGets(webPod(), `http://${host}:8080`, 1);
			assert.equal(JSON.parse(answer.body).answeredBy, 'local-db', host);
		}
		running.child.kill('SIGTERM');
		assert.equal(await running.exited, 1, 'a signal is not a clean shutdown, but it restores first');
		assert.deepEqual(specOf('statefulset', 'db'), before);
		await sessionObjectsGone();
	} finally {
		await local.close();
		if (running.child.exitCode === null) await close(running);
	}
});

test('when the editor that started the sidecar dies, the sidecar restores the workload before it exits', async () => {
	const before = specOf('deployment', 'web');
	const local = await startLocalHttp('local-web');
	const editor = spawn('sleep', ['600']);
	const running = await sidecar(['--clientProcessId', String(editor.pid)]);
	try {
		const connected = await running.client.request('session/connect', { targets: [{ service: 'web', localPort: local.port }] }, 180_000);
		assert.ok(connected.result, JSON.stringify(connected.error));
		editor.kill('SIGKILL');
		assert.equal(await running.exited, 1);
		assert.deepEqual(specOf('deployment', 'web'), before);
		await sessionObjectsGone();
	} finally {
		editor.kill('SIGKILL');
		await local.close();
	}
});

test('bad targets get typed errors and change nothing', async () => {
	const generation = kubectlJson(['get', 'deployment', 'web', '-n', DEMO_NAMESPACE]).metadata.generation;
	const running = await sidecar();
	try {
		const attempt = async (targets, options = {}) => (await running.client.request('session/connect', { targets, ...options }, 120_000)).error;
		const cases = [
			[[{ service: 'nope' }], 'targetNotFound'],
			[[{ service: 'search' }], 'targetNotConnectable', /ExternalName/],
			[[{ service: 'ghost' }], 'targetNotConnectable', /No pod/],
			[[{ service: 'kube-dns', namespace: 'kube-system' }], 'forbidden'],
			[[{ service: 'web', container: 'nope' }], 'targetNotConnectable', /no container 'nope'/],
		];
		for (const [targets, reason, message] of cases) {
			const error = await attempt(targets);
			assert.equal(error?.data.reason, reason, JSON.stringify(targets));
			if (message) assert.match(error.message, message);
		}
		// A workload another session holds (a colleague, or a session whose process crashed).
		kubectl(['annotate', 'deployment', 'web', '-n', DEMO_NAMESPACE, 'kubebridge.io/session=0badc0de',
			'kubebridge.io/owner={"user":"colleague","host":"laptop","pid":42,"since":"2026-11-22T10:00:00Z"}']);
		try {
			const taken = await attempt([{ service: 'web' }]);
			assert.equal(taken.data.reason, 'targetTakenOver');
			assert.match(taken.message, /colleague@laptop/);
		} finally {
			kubectl(['annotate', 'deployment', 'web', '-n', DEMO_NAMESPACE, 'kubebridge.io/session-', 'kubebridge.io/owner-']);
			// The Deployment controller copies the fake marks to web's current ReplicaSet, and the
			// smoke test's `kubectl rollout undo` copies a ReplicaSet's annotations back onto the
			// Deployment: the next run found web "taken over by colleague". No copy may stay.
			for (const rs of kubectlJson(['get', 'replicasets', '-n', DEMO_NAMESPACE, '-l', 'app=web']).items) {
				if (rs.metadata.annotations?.['kubebridge.io/session'] !== '0badc0de') continue;
				kubectl(['annotate', 'replicaset', rs.metadata.name, '-n', DEMO_NAMESPACE, 'kubebridge.io/session-', 'kubebridge.io/owner-']);
			}
		}
		// A pod that never starts: the agent image cannot be pulled. Fails fast, names the image, and restores.
		const notReady = await attempt([{ service: 'web' }], { agentBaseImage: UNPULLABLE_IMAGE });
		assert.equal(notReady.data.reason, 'agentNotReady');
		assert.match(notReady.message, /ErrImage|ImagePull/);
		assert.ok(notReady.message.includes(`cannot pull image '${UNPULLABLE_IMAGE}'`), notReady.message);
		assert.deepEqual(kubectlJson(['get', 'deployment', 'web', '-n', DEMO_NAMESPACE]).spec.template.spec.containers[0].image, 'kubebridge.local/demo:dev');
		kubectl(['rollout', 'status', 'deployment/web', '-n', DEMO_NAMESPACE, '--timeout=120s']);
		await sessionObjectsGone();
		assert.ok(kubectlJson(['get', 'deployment', 'web', '-n', DEMO_NAMESPACE]).metadata.generation >= generation);
	} finally {
		await close(running);
	}
});
