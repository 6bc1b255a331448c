// The agent with no image of kubebridge's: its script delivered in a content-named,
// immutable ConfigMap owned by each session's lease, run on the stock `node:24-slim` in a
// namespace that enforces the `restricted` Pod Security Standard, for a workload whose
// image brings its own non-root user (so the agent on a root-by-default image must name
// one). Two sessions share the ConfigMap; it goes with the last lease. A base image no node
// can pull fails the connect with the image and the node's error, and leaves nothing; a
// full agent image (`agentImage`) still runs its own script. kubebridge runs as its packaged
// executable, as the developer bound to the Role of docs/rbac.md, with no image named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
	AGENT_IMAGE, SESSION_LABEL, UNPULLABLE_IMAGE, appManifests, apply, clientManifests, comparableObject, connectAsDeveloper,
	createNamespace, deleteNamespace, disconnectAndExit, getEachScript, inClient, isReadyPod, kubectlAsync, kubectlJsonAsync, podsOf,
	rolloutDone, sessionObjects, startLocalServer, uniqueNamespace, waitFor,
} from '../../helpers/workload-fixtures.mjs';

const namespace = uniqueNamespace('kbw-stock');
const NONROOT_IMAGE = 'kubebridge.local/demo:nonroot';
const sidecars = [];
const servers = [];

/** The demo app from an image with its own non-root user, restricted, with no runAsUser anywhere in the pod. */
function nonRootApp(name) {
	const [deployment, service] = appManifests(namespace, name, { replicas: 2 });
	const [container] = deployment.spec.template.spec.containers;
	container.image = NONROOT_IMAGE;
	// A copy: the restricted context is shared with every other fixture.
	const { runAsUser: _, ...context } = container.securityContext;
	container.securityContext = context;
	return [deployment, service];
}

const live = (pods) => pods.filter((p) => !p.metadata.deletionTimestamp);
const agentPodsOf = async (session) => live(await podsOf(namespace, `${SESSION_LABEL}=${session}`)).filter((p) => !p.metadata.labels['kubebridge.io/role']);
const scriptMaps = async () => (await kubectlJsonAsync(['get', 'configmaps', '-n', namespace, '-l', 'kubebridge.io/role=agent-script'])).items;
const leaseUid = async (session) => (await kubectlJsonAsync(['get', 'lease', `kubebridge-${session}`, '-n', namespace])).metadata.uid;

async function connect(service, extra = {}) {
	const local = await startLocalServer();
	servers.push(local);
	const connection = await connectAsDeveloper(namespace, [{ service, localPort: local.port }], extra);
	sidecars.push(connection.sidecar);
	return { ...connection, local };
}

before(async () => {
	createNamespace(namespace, { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' });
	apply([...nonRootApp('web'), ...nonRootApp('second'), ...clientManifests(namespace)]);
	await Promise.all([rolloutDone(namespace, 'web'), rolloutDone(namespace, 'second'), rolloutDone(namespace, 'client')]);
});

after(async () => {
	for (const sidecar of sidecars) if (sidecar.child.exitCode === null && sidecar.child.signalCode === null) sidecar.child.kill('SIGKILL');
	await Promise.all(servers.map((s) => s.close()));
	deleteNamespace(namespace);
});

test('no image named: the agents and the restorer run the delivered script on node:24-slim under restricted Pod Security; two sessions share the ConfigMap, the last lease takes it', { timeout: 240_000 }, async (t) => {
	assert.equal(AGENT_IMAGE, 'node:24-slim', 'the default, with no image named anywhere');
	const before = { web: await comparableObject('deployment', namespace, 'web'), second: await comparableObject('deployment', namespace, 'second') };
	const first = await connect('web');
	const id = first.connected.sessionId;
	t.diagnostic(`connect: ${first.connectMs} ms`);

	const [script] = await scriptMaps();
	assert.ok(script, 'the script ConfigMap exists');
	const text = script.data['agent.cjs'];
	assert.equal(script.metadata.name, `kubebridge-agent-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`, 'named by its content');
	assert.equal(script.immutable, true);
	assert.deepEqual(script.metadata.ownerReferences.map((o) => [o.kind, o.name, o.uid]), [['Lease', `kubebridge-${id}`, await leaseUid(id)]]);
	const diagnostics = await first.sidecar.client.request('diagnostics/get', {});
	assert.equal(diagnostics.result.versions.agentImage, 'node:24-slim');
	assert.equal(diagnostics.result.versions.agentScript, script.metadata.name);

	const agents = await agentPodsOf(id);
	assert.equal(agents.length, 2);
	for (const pod of agents) {
		assert.ok(isReadyPod(pod), `${pod.metadata.name} Ready`);
		const agent = pod.spec.containers.find((c) => c.name === 'app');
		assert.equal(agent.image, 'node:24-slim');
		assert.deepEqual(agent.command, ['/usr/local/bin/node', '/kubebridge-agent/agent.cjs']);
		assert.equal(agent.securityContext.runAsUser, 65532, 'a non-root user, since the pod names none');
		assert.equal(agent.securityContext.readOnlyRootFilesystem, true);
		assert.deepEqual(pod.spec.volumes.find((v) => v.name === 'kubebridge-agent').configMap.name, script.metadata.name);
	}
	const restorer = await kubectlJsonAsync(['get', 'pod', `kubebridge-restorer-${id}`, '-n', namespace]);
	assert.ok(isReadyPod(restorer), 'the restorer runs the same script in the restricted namespace');
	assert.equal(restorer.spec.containers[0].image, 'node:24-slim');

	const urls = Array.from({ length: 6 }, (_, i) => `http://web/stock-${i}`);
	const answers = await inClient(namespace, getEachScript(urls));
	assert.ok(answers.every((a) => first.local.answered(a)), JSON.stringify(answers));
	const files = first.connected.targets[0].files;
	assert.ok(files.mounts.length > 0 && files.mounts.every((m) => m.name !== 'kubebridge-agent'),
		`the script's mount is not copied as one of the container's files: ${JSON.stringify(files.mounts.map((m) => m.name))}`);

	// A second session in the namespace adds its lease to the same ConfigMap.
	const second = await connect('second');
	const other = second.connected.sessionId;
	const shared = await scriptMaps();
	assert.deepEqual(shared.map((m) => m.metadata.name), [script.metadata.name]);
	assert.deepEqual(shared[0].metadata.ownerReferences.map((o) => o.uid), [await leaseUid(id), await leaseUid(other)]);
	const secondAnswers = await inClient(namespace, getEachScript(['http://second/shared']));
	assert.ok(secondAnswers.every((a) => second.local.answered(a)), JSON.stringify(secondAnswers));

	const result = await disconnectAndExit(first.sidecar);
	assert.deepEqual(result.restored, [`Deployment/${namespace}/web`]);
	assert.deepEqual(await comparableObject('deployment', namespace, 'web'), before.web);
	await waitFor('the first session gone', async () => (await sessionObjects(namespace, id)).length === 0, { ms: 60_000 });
	await waitFor('the ConfigMap kept for the second session, owned by it alone', async () => {
		const maps = await scriptMaps();
		return maps.length === 1 && maps[0].metadata.ownerReferences.length === 1 && maps[0].metadata.ownerReferences[0].name === `kubebridge-${other}`;
	}, { ms: 60_000 });
	// A replica created now mounts it, as it would if the second session's pod were replaced.
	const victim = (await agentPodsOf(other))[0].metadata.name;
	await kubectlAsync(['delete', 'pod', victim, '-n', namespace, '--wait=false']);
	await waitFor('a replacement agent of the second session Ready', async () => {
		const pods = await agentPodsOf(other);
		return pods.length === 2 && !pods.some((p) => p.metadata.name === victim) && pods.every(isReadyPod);
	}, { ms: 90_000 });

	await disconnectAndExit(second.sidecar);
	assert.deepEqual(await comparableObject('deployment', namespace, 'second'), before.second);
	await waitFor('the ConfigMap gone with the last lease', async () => (await scriptMaps()).length === 0, { ms: 60_000 });
	await waitFor('the second session gone', async () => (await sessionObjects(namespace, other)).length === 0, { ms: 60_000 });
});

test('a base image no node can pull: agentNotReady names the image and the pull error, and nothing is left changed', { timeout: 180_000 }, async (t) => {
	const before = await comparableObject('deployment', namespace, 'web');
	const local = await startLocalServer();
	servers.push(local);
	await assert.rejects(connectAsDeveloper(namespace, [{ service: 'web', localPort: local.port }], { agentBaseImage: UNPULLABLE_IMAGE }), (error) => {
		assert.match(error.message, /"reason":"agentNotReady"/);
		assert.ok(error.message.includes(`cannot pull image '${UNPULLABLE_IMAGE}'`), error.message);
		assert.match(error.message, /ErrImagePull|ImagePullBackOff/);
		t.diagnostic(JSON.parse(error.message.split('\n')[0].replace('session/connect failed: ', '')).message);
		return true;
	});
	assert.deepEqual(await comparableObject('deployment', namespace, 'web'), before);
	await rolloutDone(namespace, 'web');
	const pods = live(await podsOf(namespace, 'app=web'));
	assert.ok(pods.length === 2 && pods.every((p) => isReadyPod(p) && p.spec.containers[0].image === NONROOT_IMAGE), 'the originals serve');
	await waitFor('the ConfigMap gone with the lease', async () => (await scriptMaps()).length === 0, { ms: 60_000 });
	await waitFor('no lease, restorer or agent left', async () =>
		(await kubectlAsync(['get', 'pods,leases,serviceaccounts,roles,rolebindings', '-n', namespace, '-l', SESSION_LABEL, '-o', 'name'])).stdout.trim() === '', { ms: 60_000 });
});

test('a full agent image runs its own script: no ConfigMap, no user added, restored exactly', { timeout: 180_000 }, async () => {
	const image = 'kubebridge.local/agent:dev';
	const before = await comparableObject('deployment', namespace, 'web');
	const { sidecar, connected, local } = await connect('web', { agentImage: image });
	const agents = await agentPodsOf(connected.sessionId);
	assert.equal(agents.length, 2, agents.map((p) => p.metadata.name).join(', '));
	for (const pod of agents) {
		assert.ok(isReadyPod(pod), `${pod.metadata.name} Ready: ${JSON.stringify(pod.status.conditions)}`);
		const agent = pod.spec.containers.find((c) => c.name === 'app');
		assert.equal(agent.image, image);
		assert.deepEqual(agent.command, ['/usr/local/bin/node', '/agent/agent.cjs']);
		assert.equal(agent.securityContext.runAsUser, undefined, "the image's own user runs it");
		assert.ok(!(pod.spec.volumes ?? []).some((v) => v.configMap?.name?.startsWith('kubebridge-agent-')));
	}
	assert.deepEqual(await scriptMaps(), []);
	const answers = await inClient(namespace, getEachScript(['http://web/full-image']));
	assert.ok(answers.every((a) => local.answered(a)), JSON.stringify(answers));
	await disconnectAndExit(sidecar);
	assert.deepEqual(await comparableObject('deployment', namespace, 'web'), before);
});
