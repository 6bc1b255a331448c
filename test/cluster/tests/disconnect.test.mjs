// Right after disconnect answers, callers in the cluster reach the original pods: none
// waits for a connection to an agent pod that is gone. A Service with three replicas is
// connected and disconnected as an editor does it, by a developer bound to the Role of
// docs/rbac.md; a caller in a pod of the cluster, started beforehand and waiting, calls
// the Service the moment the answer arrives.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KUBECONFIG, kubectlPath } from '../../helpers/cluster.mjs';
import { clusterTestSpace } from '../../helpers/test-space.mjs';
import {
	SESSION_LABEL, appManifests, apply, clientManifests, comparableObject, connectAsDeveloper, createNamespace, disconnectAndExit,
	getEachScript, inClient, isReadyPod, podsOf, rolloutDone, startLocalServer, waitFor,
} from '../../helpers/workload-fixtures.mjs';

const space = clusterTestSpace('kb-disconnect');
const { ns } = space;
const CALLS = 60;
/** Far below the 10 s a caller met before disconnect waited for the proxy; a healthy call takes milliseconds. */
const CALL_TIMEOUT_MS = 2000;
const CALL_GAP_MS = 50;

before(async () => {
	createNamespace(ns);
	apply([...appManifests(ns, 'api', { replicas: 3 }), ...clientManifests(ns)]);
	await Promise.all([rolloutDone(ns, 'api'), rolloutDone(ns, 'client')]);
});

/**
 * A caller in the client pod that waits for a line on its stdin, then calls the Service
 * `CALLS` times, each on a new connection (so the proxy picks an endpoint each time) with
 * a short timeout; resolves with what each call got.
 */
function waitingCaller() {
	const script = `
const http = require('node:http');
const one = () => new Promise((resolve) => {
	const started = Date.now();
	const req = http.get('http://api/who', { agent: false, timeout: ${CALL_TIMEOUT_MS} }, (res) => {
		let body = ''; res.on('data', (d) => { body += d; }); res.on('end', () => resolve({ status: res.statusCode, body }));
	});
	req.on('timeout', () => req.destroy(new Error('timeout')));
	req.on('error', (e) => resolve({ error: e.code || e.message, ms: Date.now() - started }));
});
console.log('waiting');
process.stdin.once('data', async () => {
	const out = [];
	for (let i = 0; i < ${CALLS}; i++) { out.push(await one()); await new Promise((r) => setTimeout(r, ${CALL_GAP_MS})); }
	console.log(JSON.stringify(out));
	process.exit(0);
});`;
	const child = spawn(kubectlPath(), ['--kubeconfig', KUBECONFIG, 'exec', '-i', '-n', ns, 'deploy/client', '-c', 'client', '--', '/usr/local/bin/node', '-e', script],
		{ stdio: ['pipe', 'pipe', 'inherit'] });
	let stdout = '';
	const waiting = new Promise((resolve, reject) => {
		child.stdout.on('data', (d) => { stdout += d; if (stdout.includes('waiting')) resolve(); });
		child.once('exit', (code) => reject(new Error(`the caller exited with ${code} before it was ready: ${stdout}`)));
	});
	const answers = new Promise((resolve, reject) => child.once('exit', (code) => (code === 0
		? resolve(JSON.parse(stdout.slice(stdout.indexOf('waiting') + 'waiting'.length)))
		: reject(new Error(`the caller exited with ${code}: ${stdout}`)))));
	return { waiting, go: () => child.stdin.write('go\n'), answers };
}

/** What the sidecar's log says about the wait for the proxy on disconnect. */
function routeWaitOf(logDir) {
	const entries = readdirSync(logDir).filter((f) => f.endsWith('.log'))
		.flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)));
	return entries.find((e) => /^the cluster's proxy (routes to|was not seen routing to) the original pods/.test(e.message)) ?? null;
}

test('right after disconnect answers, every call of the Service from a pod reaches an original pod', { timeout: 300_000 }, async (t) => {
	const before = await comparableObject('deployment', ns, 'api');
	space.local = await startLocalServer();
	const { sidecar, connected } = await connectAsDeveloper(ns, [{ service: 'api', localPort: space.local.port }]);
	space.sidecars.push(sidecar);
	const agents = connected.targets[0].agentPods;
	assert.equal(agents.length, 3);
	const [through] = await inClient(ns, getEachScript(['http://api/through']));
	assert.ok(space.local.answered(through), `connected, a call reaches this machine: ${JSON.stringify(through)}`);

	const caller = waitingCaller();
	await caller.waiting;
	const started = Date.now();
	const result = await disconnectAndExit(sidecar).then((answer) => { caller.go(); return answer; });
	const disconnectMs = Date.now() - started;
	const answers = await caller.answers;

	assert.equal(result.stale, undefined, `disconnect saw every route to the originals: ${JSON.stringify(result.stale)}`);
	const originals = (await podsOf(ns, 'app=api')).filter((p) => isReadyPod(p) && !p.metadata.labels[SESSION_LABEL]).map((p) => p.metadata.name);
	assert.equal(originals.length, 3);
	const failed = answers.filter((a) => a.status !== 200 || !originals.includes(JSON.parse(a.body).pod));
	assert.deepEqual(failed, [], `${failed.length} of ${CALLS} calls did not reach an original pod`);
	const reached = new Set(answers.map((a) => JSON.parse(a.body).pod));
	assert.ok([...reached].every((pod) => !agents.includes(pod)));
	assert.equal(space.local.seen.length, 1, 'after disconnect nothing reaches this machine');

	const progress = sidecar.client.reader.pending.filter((m) => m.method === '$/progress' && m.params.token === 'disconnect').map((m) => m.params.value.message);
	assert.ok(progress.some((m) => /^service\/api: waiting for the cluster's proxy to route to the original pods$/.test(m ?? '')), progress.join('\n'));
	assert.deepEqual(await comparableObject('deployment', ns, 'api'), before, 'restored exactly');
	await waitFor('the session objects to be gone', async () => (await podsOf(ns, SESSION_LABEL)).length === 0);

	const wait = routeWaitOf(sidecar.logDir);
	assert.ok(wait, 'the log records the wait for the proxy');
	t.diagnostic(`disconnect answered in ${disconnectMs} ms; the wait for the proxy: ${JSON.stringify(wait.fields)}; calls reached ${[...reached].sort().join(', ')}`);
});
