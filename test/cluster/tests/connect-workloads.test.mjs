// Connect against workloads the demo namespace does not have: a namespace that enforces the
// `restricted` Pod Security Standard, a Deployment under a HorizontalPodAutoscaler, an agent
// pod deleted mid-session, the agent's control port seen from outside, and a sidecar killed
// with SIGKILL. Each scenario has a namespace of its own, created here and deleted after.
// kubebridge runs as its packaged executable, driven over the protocol as an editor drives
// it, as a developer bound to the Role of docs/rbac.md; the admin only sets up fixtures and
// looks at what really happened in the cluster.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { KUBECONFIG, kubectl, kubectlPath } from '../../helpers/cluster.mjs';
import {
	AGENT_IMAGE, DEMO_IMAGE, RESTRICTED_CONTAINER, SESSION_LABEL, appManifests, apply, clientManifests, comparableObject,
	connectAsDeveloper, createNamespace, deleteNamespace, disconnectAndExit, getEachScript, httpGet, inClient, isReadyPod,
	kubectlAsync, kubectlJsonAsync, nextChange, podsOf, rolloutDone, sessionObjects, startLocalServer, tcpConnectScript,
	uniqueNamespace, waitFor,
} from '../../helpers/workload-fixtures.mjs';

const ns = {
	restricted: uniqueNamespace('kbw-restricted'),
	hpa: uniqueNamespace('kbw-hpa'),
	replaced: uniqueNamespace('kbw-replaced'),
	control: uniqueNamespace('kbw-control'),
	crash: uniqueNamespace('kbw-crash'),
};
const sidecars = [];
const servers = [];
const processes = [];

const names = (pods) => pods.map((p) => p.metadata.name).sort();
const live = (pods) => pods.filter((p) => !p.metadata.deletionTimestamp);
const agentContainer = (pod) => pod.spec.containers.find((c) => c.name === 'app');
const envOf = (container, name) => container.env.find((e) => e.name === name)?.value;
const agentPodsOf = async (namespace, session) => live(await podsOf(namespace, `${SESSION_LABEL}=${session}`))
	.filter((p) => p.metadata.labels['kubebridge.io/role'] === undefined);

async function session(namespace, service, local) {
	const connection = await connectAsDeveloper(namespace, [{ service, localPort: local.port }]);
	sidecars.push(connection.sidecar);
	return connection;
}

async function localServer() {
	const local = await startLocalServer();
	servers.push(local);
	return local;
}

/** The original pods of an app are back: none of the session's, `replicas` Ready, all the app's own image. */
async function originalsServe(namespace, app, replicas) {
	const pods = live(await podsOf(namespace, `app=${app}`));
	return pods.length === replicas && pods.every((p) => isReadyPod(p) && !p.metadata.labels[SESSION_LABEL]
		&& p.spec.containers[0].image === DEMO_IMAGE);
}

before(async () => {
	createNamespace(ns.restricted, { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' });
	for (const name of [ns.hpa, ns.replaced, ns.control, ns.crash]) createNamespace(name);
	apply([...appManifests(ns.restricted, 'web', { replicas: 2 }), ...clientManifests(ns.restricted)]);
	apply([...appManifests(ns.hpa, 'scaled', { replicas: 1, cpuRequest: '10m' }), {
		apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'scaled', namespace: ns.hpa },
		spec: {
			scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'scaled' }, minReplicas: 1, maxReplicas: 4,
			metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
		},
	}]);
	apply(appManifests(ns.replaced, 'svc', { replicas: 2 }));
	apply([...appManifests(ns.control, 'guarded', { replicas: 1 }), ...clientManifests(ns.control)]);
	apply(appManifests(ns.crash, 'fragile', { replicas: 2 }));
	await Promise.all([
		rolloutDone(ns.restricted, 'web'), rolloutDone(ns.restricted, 'client'), rolloutDone(ns.hpa, 'scaled'),
		rolloutDone(ns.replaced, 'svc'), rolloutDone(ns.control, 'guarded'), rolloutDone(ns.control, 'client'), rolloutDone(ns.crash, 'fragile'),
	]);
});

after(async () => {
	for (const child of processes) child.kill('SIGKILL');
	for (const sidecar of sidecars) if (sidecar.child.exitCode === null && sidecar.child.signalCode === null) sidecar.child.kill('SIGKILL');
	await Promise.all(servers.map((s) => s.close()));
	for (const name of Object.values(ns)) deleteNamespace(name);
});

test('restricted Pod Security: the agents and the restorer are admitted, callers in the cluster reach the local process, disconnect restores exactly', { timeout: 150_000 }, async (t) => {
	const namespace = ns.restricted;
	const refused = kubectl(['run', 'unrestricted', '-n', namespace, '--image', DEMO_IMAGE, '--restart=Never', '--dry-run=server'], { allowFailure: true });
	assert.notEqual(refused.status, 0, 'the namespace must refuse a pod that is not restricted');
	assert.match(refused.stderr, /violates PodSecurity "restricted/);
	const before = await comparableObject('deployment', namespace, 'web');
	const local = await localServer();

	const { sidecar, connected, connectMs } = await session(namespace, 'web', local);
	t.diagnostic(`connect: ${connectMs} ms`);
	const id = connected.sessionId;
	const agents = await agentPodsOf(namespace, id);
	assert.equal(agents.length, 2);
	// Once connect has answered, the Service routes to every agent pod (they are Ready), so
	// each must hand its callers to this machine at once, and the result must name them all.
	const atOnce = await Promise.all(agents.map((p) => httpGet(`http://${p.status.podIP}:8080/at-once-${p.metadata.name}`)));
	assert.deepEqual(atOnce.map((a) => local.answered(a)), agents.map(() => true), `right after connect: ${JSON.stringify(atOnce)}`);
	assert.deepEqual(connected.targets[0].agentPods, names(agents));
	local.seen.length = 0;
	for (const pod of agents) {
		assert.ok(isReadyPod(pod), `${pod.metadata.name} Ready`);
		assert.equal(agentContainer(pod).image, AGENT_IMAGE);
		assert.deepEqual(agentContainer(pod).securityContext, RESTRICTED_CONTAINER, 'the container keeps its security context');
	}
	const restorer = await kubectlJsonAsync(['get', 'pod', `kubebridge-restorer-${id}`, '-n', namespace]);
	assert.ok(isReadyPod(restorer), 'the restorer pod runs in the restricted namespace');

	const urls = Array.from({ length: 12 }, (_, i) => `http://web/restricted-${i}`);
	const answers = await inClient(namespace, getEachScript(urls));
	assert.ok(answers.every((a) => local.answered(a)), JSON.stringify(answers));
	assert.deepEqual(answers.map((a) => JSON.parse(a.body).path), urls.map((u) => new URL(u).pathname));
	assert.deepEqual(local.seen.map((s) => s.path), urls.map((u) => new URL(u).pathname));
	const status = await sidecar.client.request('session/status', {});
	assert.equal(status.result.agents.reduce((sum, a) => sum + a.totalConnections, 0), urls.length + agents.length, "every caller went through an agent");

	const result = await disconnectAndExit(sidecar);
	assert.deepEqual(result.restored, [`Deployment/${namespace}/web`]);
	assert.deepEqual(await comparableObject('deployment', namespace, 'web'), before);
	assert.ok(await originalsServe(namespace, 'web', 2), 'the original pods serve when disconnect returns');
	const afterwards = await inClient(namespace, getEachScript(['http://web/after-1', 'http://web/after-2', 'http://web/after-3']));
	assert.ok(afterwards.every((a) => a.status === 200 && JSON.parse(a.body).service === 'web'), JSON.stringify(afterwards));
	assert.equal(local.seen.length, urls.length, 'nothing reached the local process after disconnect');
	await waitFor('the lease, the restorer and its RBAC gone', async () => (await sessionObjects(namespace, id)).length === 0, { ms: 30_000 });
});

test('a Deployment under a HorizontalPodAutoscaler: replicas it adds become agents and serve locally; spec.replicas stays the autoscaler\'s', { timeout: 150_000 }, async (t) => {
	const namespace = ns.hpa;
	// The autoscaler owns spec.replicas: it changes during the session and restore leaves it to it.
	const before = await comparableObject('deployment', namespace, 'scaled', { ignoreSpec: ['replicas'] });
	const local = await localServer();
	const { sidecar, connected } = await session(namespace, 'scaled', local);
	const first = connected.targets[0].agentPods;
	assert.equal(first.length, 1);

	const raised = Date.now();
	await kubectlAsync(['patch', 'hpa', 'scaled', '-n', namespace, '--type=merge', '-p', '{"spec":{"minReplicas":3}}']);
	await waitFor('the autoscaler asks for 3 replicas', async () => (await kubectlJsonAsync(['get', 'deployment', 'scaled', '-n', namespace])).spec.replicas === 3);
	const scaled = Date.now();
	const added = [await nextChange(sidecar, 'agentAdded', (p) => !first.includes(p.pod))];
	added.push(await nextChange(sidecar, 'agentAdded', (p) => !first.includes(p.pod) && p.pod !== added[0].params.pod));
	const statuses = await waitFor('3 agents serving', async () => {
		const { result } = await sidecar.client.request('session/status', {});
		return result.agents.length === 3 && result.agents.every((a) => a.state === 'serving') && result.agents;
	});
	t.diagnostic(`minReplicas raised → the autoscaler set 3 replicas ${scaled - raised} ms → 3 agents serving ${Date.now() - scaled} ms later`);
	const agents = await agentPodsOf(namespace, connected.sessionId);
	assert.deepEqual(names(agents), statuses.map((a) => a.pod).sort());
	assert.deepEqual(names(agents), [...first, ...added.map((m) => m.params.pod)].sort());
	assert.ok(agents.every((p) => isReadyPod(p) && agentContainer(p).image === AGENT_IMAGE));

	for (const pod of agents) {
		const answer = await httpGet(`http://${pod.status.podIP}:8080/via-${pod.metadata.name}`);
		assert.ok(local.answered(answer), `${pod.metadata.name}: ${JSON.stringify(answer)}`);
	}
	const { result: status } = await sidecar.client.request('session/status', {});
	for (const agent of status.agents) assert.ok(agent.totalConnections >= 1, `${agent.pod} carried its caller`);
	assert.deepEqual(local.seen.map((s) => s.path).sort(), agents.map((p) => `/via-${p.metadata.name}`).sort());

	const result = await disconnectAndExit(sidecar);
	assert.deepEqual(result.restored, [`Deployment/${namespace}/scaled`]);
	const restored = await kubectlJsonAsync(['get', 'deployment', 'scaled', '-n', namespace]);
	assert.equal(restored.spec.replicas, 3, 'the replica count the autoscaler set is kept');
	assert.deepEqual(await comparableObject('deployment', namespace, 'scaled', { ignoreSpec: ['replicas'] }), before);
	assert.ok(await originalsServe(namespace, 'scaled', 3), 'three original pods serve when disconnect returns');
});

test('an agent pod deleted mid-session: its replacement serves locally with no user step', { timeout: 150_000 }, async (t) => {
	const namespace = ns.replaced;
	const before = await comparableObject('deployment', namespace, 'svc');
	const local = await localServer();
	const { sidecar, connected } = await session(namespace, 'svc', local);
	const initial = names(await agentPodsOf(namespace, connected.sessionId));
	assert.equal(initial.length, 2);
	const [victim, survivor] = initial;
	await waitFor('both agents serving before one is deleted', async () => {
		const { result } = await sidecar.client.request('session/status', {});
		return result.agents.length === 2 && result.agents.every((a) => a.state === 'serving');
	});

	const deleted = Date.now();
	await kubectlAsync(['delete', 'pod', victim, '-n', namespace, '--wait=false']);
	const replacement = await waitFor('the replacement pod has an address', async () =>
		(await agentPodsOf(namespace, connected.sessionId)).find((p) => !initial.includes(p.metadata.name) && p.status.podIP));
	const name = replacement.metadata.name;
	await waitFor('an answer from the local process through the replacement', async () =>
		local.answered(await httpGet(`http://${replacement.status.podIP}:8080/through-replacement`, { timeoutMs: 2000 })), { ms: 60_000, every: 100 });
	const firstAnswerMs = Date.now() - deleted;
	t.diagnostic(`agent pod deleted → first local answer through its replacement: ${firstAnswerMs} ms`);
	assert.ok(firstAnswerMs < 30_000, `${firstAnswerMs} ms`);

	// The notifications in the order they came: the victim went, then its replacement came and served.
	const changes = await waitFor('agentRemoved, agentAdded and agentServing', () => {
		const seen = sidecar.client.reader.pending.filter((m) => m.method === 'session/didChangeState').map((m) => `${m.params.change} ${m.params.pod}`);
		const order = [`agentRemoved ${victim}`, `agentAdded ${name}`, `agentServing ${name}`].map((c) => seen.indexOf(c));
		return order.every((i) => i >= 0) && order;
	}, { ms: 30_000 });
	assert.deepEqual(changes, [...changes].sort((a, b) => a - b), 'removed, then added, then serving');
	const { result: status } = await sidecar.client.request('session/status', {});
	assert.deepEqual(status.agents.map((a) => a.pod).sort(), [survivor, name].sort());
	assert.ok(status.agents.every((a) => a.state === 'serving'));
	assert.deepEqual(status.targets[0].agentPods, [survivor, name].sort());
	assert.ok(local.answered(await httpGet(`http://${replacement.status.podIP}:8080/again`)));

	const result = await disconnectAndExit(sidecar);
	assert.deepEqual(result.restored, [`Deployment/${namespace}/svc`]);
	assert.deepEqual(await comparableObject('deployment', namespace, 'svc'), before);
	assert.ok(await originalsServe(namespace, 'svc', 2));
});

/** Starts `kubectl port-forward` as the admin to a pod's port; resolves with the local port. */
function portForward(namespace, pod, port) {
	const child = spawn(kubectlPath(), ['--kubeconfig', KUBECONFIG, 'port-forward', '-n', namespace, `pod/${pod}`, `:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
	processes.push(child);
	return new Promise((resolve, reject) => {
		let out = '';
		child.stdout.on('data', (d) => {
			out += d;
			const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
			if (match) resolve(Number(match[1]));
		});
		child.on('exit', (code) => reject(new Error(`kubectl port-forward exited with ${code}: ${out}`)));
	});
}

/** Sends raw HTTP/1.1 request bytes and resolves with the status line of the answer. */
function statusLine(port, request) {
	return new Promise((resolve, reject) => {
		let text = '';
		const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
		socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')));
		socket.on('data', (d) => {
			text += d;
			const end = text.indexOf('\r\n');
			if (end >= 0) {
				socket.destroy();
				resolve(text.slice(0, end));
			}
		});
		socket.on('error', reject);
	});
}

test('the control port: other pods cannot connect to it; through a port-forward a wrong token gets 401', { timeout: 150_000 }, async () => {
	const namespace = ns.control;
	const local = await localServer();
	const { sidecar, connected } = await session(namespace, 'guarded', local);
	const [agent] = await agentPodsOf(namespace, connected.sessionId);
	const controlPort = Number(envOf(agentContainer(agent), 'KUBEBRIDGE_AGENT_CONTROL_PORT'));
	assert.ok(controlPort > 0, 'the agent container names its control port');
	const ip = agent.status.podIP;

	assert.equal(await inClient(namespace, tcpConnectScript(ip, 8080)), 'connected', 'the pod is reachable from the client pod');
	assert.equal(await inClient(namespace, tcpConnectScript(ip, controlPort)), 'ECONNREFUSED');

	const forwarded = await portForward(namespace, agent.metadata.name, controlPort);
	const wrong = await httpGet(`http://127.0.0.1:${forwarded}/v1/status`, { headers: { authorization: 'Bearer wrong-token' } });
	assert.equal(wrong.status, 401);
	const none = await httpGet(`http://127.0.0.1:${forwarded}/v1/status`);
	assert.equal(none.status, 401);
	const tunnel = await statusLine(forwarded, 'GET /v1/accept HTTP/1.1\r\nHost: agent\r\nConnection: Upgrade\r\nUpgrade: kubebridge-tunnel\r\n'
		+ 'Authorization: Bearer wrong-token\r\n\r\n');
	assert.equal(tunnel, 'HTTP/1.1 401 Unauthorized', 'a tunnel with a wrong token must not take callers');

	const answers = await inClient(namespace, getEachScript(['http://guarded/still-local-1', 'http://guarded/still-local-2']));
	assert.ok(answers.every((a) => local.answered(a)), `the session's own tunnels still serve: ${JSON.stringify(answers)}`);
	await disconnectAndExit(sidecar);
});

test('kill -9 of the sidecar: the restorer puts the Deployment back with no user action, and everything of the session goes', { timeout: 150_000 }, async (t) => {
	const namespace = ns.crash;
	const before = await comparableObject('deployment', namespace, 'fragile');
	const local = await localServer();
	const { sidecar, connected } = await session(namespace, 'fragile', local);
	const id = connected.sessionId;
	assert.equal((await agentPodsOf(namespace, id)).length, 2);
	const created = await sessionObjects(namespace, id);
	for (const kind of ['lease', 'pod', 'serviceaccount', 'role', 'rolebinding']) {
		assert.ok(created.some((o) => o.startsWith(`${kind}/`) || o.startsWith(`${kind}.`)), `${kind} of the session exists: ${created}`);
	}
	assert.ok(!isDeepStrictEqual(await comparableObject('deployment', namespace, 'fragile'), before), 'the Deployment is taken over');

	const killed = Date.now();
	sidecar.child.kill('SIGKILL');
	assert.equal(await sidecar.exited, 'SIGKILL');
	await waitFor('the Deployment spec restored', async () => isDeepStrictEqual(await comparableObject('deployment', namespace, 'fragile'), before), { ms: 60_000 });
	const restoredMs = Date.now() - killed;
	await waitFor('the original pods Ready', () => originalsServe(namespace, 'fragile', 2), { ms: 60_000 });
	const readyMs = Date.now() - killed;
	await waitFor('the lease, agents, restorer and its RBAC gone', async () => (await sessionObjects(namespace, id)).length === 0, { ms: 60_000 });
	const goneMs = Date.now() - killed;
	t.diagnostic(`kill -9 → spec restored ${restoredMs} ms, original pods Ready ${readyMs} ms, session objects gone ${goneMs} ms (promised within ${connected.restoreWithinSeconds} s)`);
	assert.ok(restoredMs <= 30_000, `restored after ${restoredMs} ms`);
	assert.ok(restoredMs <= connected.restoreWithinSeconds * 1000, `restored after ${restoredMs} ms, promised ${connected.restoreWithinSeconds} s`);
	assert.ok(goneMs - restoredMs <= 30_000, 'garbage collected within 30 s of the restore');
});
