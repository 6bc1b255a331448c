// kubebridge.yaml's `features.probes: true`: connect succeeds while nothing listens on this
// machine, then the agent pods' readiness follows the replaced container's readinessProbe,
// answered by the local program: not ready while it is absent, ready while it answers, not
// ready again once it stops; disconnect restores the Deployment exactly. kubebridge runs as
// its packaged executable, driven as an editor drives it, as a developer bound to the Role
// of docs/rbac.md; the admin sets up the fixtures and reads the EndpointSlices.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../helpers/local-agent.mjs';
import {
	SESSION_LABEL, appManifests, apply, clientManifests, comparableObject, connectAsDeveloper, createNamespace, deleteNamespace,
	disconnectAndExit, getEachScript, inClient, kubectlJsonAsync, podsOf, rolloutDone, uniqueNamespace, waitFor,
} from '../../helpers/workload-fixtures.mjs';

const namespace = uniqueNamespace('kb-probes');
const workspaceFolder = mkdtempSync(join(tmpdir(), 'kubebridge-probes-ws-'));
const sidecars = [];
let local = null;

/** The readiness of each endpoint of the service, by pod name. */
async function endpointReadiness(service) {
	const slices = await kubectlJsonAsync(['get', 'endpointslices', '-n', namespace, '-l', `kubernetes.io/service-name=${service}`]);
	const endpoints = slices.items.flatMap((s) => s.endpoints ?? []);
	return Object.fromEntries(endpoints.map((e) => [e.targetRef?.name, e.conditions?.ready === true]));
}

const allEndpoints = (agents, ready) => async () => {
	const readiness = await endpointReadiness('ready');
	return agents.every((pod) => readiness[pod] === ready);
};

/** The developer's program: answers every path, the probe's too, with a marker no pod knows. */
async function startProgram(port) {
	const seen = [];
	const server = createServer((req, res) => {
		seen.push({ path: req.url, agent: req.headers['user-agent'] });
		res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ marker: 'local-program', path: req.url }));
	});
	await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
	return { seen, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}

before(async () => {
	createNamespace(namespace);
	writeFileSync(join(workspaceFolder, 'kubebridge.yaml'), 'version: 1\nfeatures:\n  probes: true\n');
	// The app's readinessProbe: GET /healthz on its named port `http`, every second.
	apply([...appManifests(namespace, 'ready', { replicas: 2 }), ...clientManifests(namespace)]);
	await Promise.all([rolloutDone(namespace, 'ready'), rolloutDone(namespace, 'client')]);
});

after(async () => {
	for (const sidecar of sidecars) if (sidecar.child.exitCode === null && sidecar.child.signalCode === null) sidecar.child.kill('SIGKILL');
	await local?.close();
	deleteNamespace(namespace);
	rmSync(workspaceFolder, { recursive: true, force: true });
});

test('probes: true: readiness follows the local program once connected, and disconnect restores exactly', { timeout: 240_000 }, async (t) => {
	const before = await comparableObject('deployment', namespace, 'ready');
	const localPort = await freePort();
	const { sidecar, connected, connectMs } = await connectAsDeveloper(namespace, [{ service: 'ready', localPort }], {}, { workspaceFolder });
	sidecars.push(sidecar);
	t.diagnostic(`connect with nothing listening locally: ${connectMs} ms`);
	const agents = connected.targets[0].agentPods;
	assert.equal(agents.length, 2);
	const progress = sidecar.client.reader.pending.filter((m) => m.method === '$/progress' && m.params.token === 'connect').map((m) => m.params.value.message);
	assert.ok(progress.includes('service/ready: readiness now follows the local program (GET http://:8080/healthz)'), progress.join('\n'));

	const pods = (await podsOf(namespace, `${SESSION_LABEL}=${connected.sessionId}`)).filter((p) => agents.includes(p.metadata.name));
	for (const pod of pods) {
		const agent = pod.spec.containers.find((c) => c.name === 'app');
		assert.equal(agent.readinessProbe.httpGet.path, '/readyz');
		assert.equal(agent.livenessProbe.httpGet.path, '/healthz');
		assert.deepEqual(JSON.parse(agent.env.find((e) => e.name === 'KUBEBRIDGE_AGENT_READINESS').value),
			{ port: 8080, path: '/healthz', scheme: 'HTTP', headers: [], timeoutSeconds: 1 });
	}

	let started = Date.now();
	await waitFor('the agents unready while nothing answers locally', allEndpoints(agents, false), { ms: 30_000 });
	t.diagnostic(`not ready ${Date.now() - started} ms after connect answered`);

	local = await startProgram(localPort);
	started = Date.now();
	await waitFor('the agents ready once the local program answers', allEndpoints(agents, true), { ms: 30_000 });
	t.diagnostic(`ready ${Date.now() - started} ms after the local program started`);
	assert.ok(local.seen.some((s) => s.path === '/healthz' && s.agent === 'kube-probe/kubebridge'), 'the probe reached the local program');
	const urls = Array.from({ length: 6 }, (_, i) => `http://ready/probes-${i}`);
	const answers = await inClient(namespace, getEachScript(urls));
	assert.ok(answers.every((a) => a.status === 200 && JSON.parse(a.body).marker === 'local-program'), JSON.stringify(answers));

	await local.close();
	local = null;
	started = Date.now();
	await waitFor('the agents unready once the local program stopped', allEndpoints(agents, false), { ms: 30_000 });
	t.diagnostic(`not ready ${Date.now() - started} ms after the local program stopped`);
	const status = await sidecar.client.request('session/status', {});
	assert.deepEqual(status.result.agents.map((a) => [a.pod, a.state]).sort(), agents.map((pod) => [pod, 'serving']), 'unready agents keep their links');

	const result = await disconnectAndExit(sidecar);
	assert.deepEqual(result.restored, [`Deployment/${namespace}/ready`]);
	assert.deepEqual(await comparableObject('deployment', namespace, 'ready'), before);
});
