// environment/get and environment/export against the real cluster: what kubebridge
// computes must be what the container really has (`env` inside the same pod).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { DEMO_NAMESPACE, issueKubeconfig, kubectl } from '../../helpers/cluster.mjs';
import { DEVELOPER_RULES } from '../../helpers/developer-role.mjs';
import { runExecutable, startSidecar } from '../../helpers/executable.mjs';
import { appManifests, apply, createNamespace, deleteNamespace, uniqueNamespace } from '../../helpers/workload-fixtures.mjs';

/** What the runtime adds from the image and itself, not from the pod spec. */
const RUNTIME = new Set(['PATH', 'HOSTNAME', 'HOME']);
const FIXTURE_SECRETS = ['s3cr3t-demo', 'token-123', 'demo-private-key'];
let developer;
let sidecar;

before(async () => {
	developer = issueKubeconfig({ user: 'kb-env-developer', namespace: DEMO_NAMESPACE, rules: DEVELOPER_RULES });
	sidecar = startSidecar({ args: ['--kubeconfig', developer.kubeconfig] });
	const init = await sidecar.client.initialize({ cluster: { namespace: DEMO_NAMESPACE } });
	assert.ok(init.result?.capabilities.supportsEnvironment);
});

after(async () => {
	await sidecar.client.request('shutdown');
	sidecar.client.notify('exit');
	await sidecar.exited;
	developer.revoke();
});

function envInPod(pod) {
	const out = kubectl(['exec', '-n', DEMO_NAMESPACE, pod, '--', '/usr/local/bin/node', '-e', 'process.stdout.write(JSON.stringify(process.env))']).stdout;
	return JSON.parse(out);
}

test("the api container's environment is exactly what `env` shows inside its pod, apart from what the runtime adds", async () => {
	const response = await sidecar.client.request('environment/get', { target: { service: 'api' }, reveal: true }, 60_000);
	assert.ok(response.result, JSON.stringify(response.error));
	const { pod, vars, notes } = response.result;
	const ours = Object.fromEntries(vars.map((v) => [v.name, v.value]));
	const real = envInPod(pod);
	// The developer may not read the `kubernetes` service of `default`; the result says so.
	const unreadable = notes.some((n) => n.includes("'kubernetes' service")) ? (name) => name.startsWith('KUBERNETES_') : () => false;
	for (const [name, value] of Object.entries(real)) {
		if (RUNTIME.has(name) || unreadable(name)) continue;
		assert.equal(ours[name], value, `${name}`);
	}
	for (const name of Object.keys(ours)) assert.ok(name in real, `${name} is not in the container`);
	// Every kind of source is there: literal, ConfigMap, Secret, downward API, resources, envFrom prefixes, services.
	const sources = new Set(vars.map((v) => v.source));
	for (const kind of ['literal', 'configMap', 'secret', 'field', 'resource', 'envFrom', 'service']) assert.ok(sources.has(kind), kind);
	assert.equal(ours.SECRET_DB_PASSWORD, 's3cr3t-demo');
	assert.equal(ours.API_SERVICE_PORT, real.API_SERVICE_PORT);
});

test('secret values are masked unless asked for, and never reach the log', async () => {
	const masked = (await sidecar.client.request('environment/get', { target: { service: 'api' } }, 60_000)).result;
	const password = masked.vars.find((v) => v.name === 'DB_PASSWORD');
	assert.deepEqual([password.value, password.secret, password.source], ['****', true, 'secret']);
	assert.ok(!JSON.stringify(masked).includes('s3cr3t-demo'));
	const logDir = sidecar.logDir;
	const written = readdirSync(logDir).map((f) => readFileSync(join(logDir, f), 'utf8')).join('\n');
	for (const secret of FIXTURE_SECRETS) assert.ok(!written.includes(secret), `${secret} is not in the log`);
});

test('a .env export parses back, with a real dotenv parser, to the exact values', async () => {
	const exported = await sidecar.client.request('environment/export', { target: { service: 'api' }, format: 'dotenv' }, 60_000);
	assert.ok(exported.result, JSON.stringify(exported.error));
	const env = (await sidecar.client.request('environment/get', { target: { service: 'api' }, reveal: true }, 60_000)).result;
	assert.deepEqual(dotenv.parse(exported.result.text), Object.fromEntries(env.vars.map((v) => [v.name, v.value])));
});

test('a workload scaled to 0: environment/get and `kubebridge env` say it has no running pod and what to do, not that agents failed', async (t) => {
	const namespace = uniqueNamespace('kb-env-idle');
	createNamespace(namespace);
	const idle = issueKubeconfig({ user: `dev-${namespace}`, namespace, rules: DEVELOPER_RULES });
	t.after(() => {
		idle.revoke();
		deleteNamespace(namespace);
	});
	apply(appManifests(namespace, 'idle', { replicas: 0 }));
	const sidecarAsIdle = startSidecar({ args: ['--kubeconfig', idle.kubeconfig] });
	t.after(() => sidecarAsIdle.child.kill('SIGKILL'));
	await sidecarAsIdle.client.initialize({ cluster: { namespace } });
	for (const target of [{ workload: { kind: 'Deployment', name: 'idle' } }, { service: 'idle' }]) {
		const { error } = await sidecarAsIdle.client.request('environment/get', { target }, 60_000);
		assert.equal(error?.code, -33300, JSON.stringify(error));
		assert.equal(error.data.reason, 'noRunningPod');
		assert.doesNotMatch(error.message, /agent/);
	}
	const cli = runExecutable(['env', 'deployment/idle', '-n', namespace, '--kubeconfig', idle.kubeconfig]);
	assert.equal(cli.status, 1);
	assert.equal(cli.stderr.split('\n')[0].replace(/ \(log: .*\)$/, ''), `kubebridge: Cannot read the environment of deployment/idle in namespace '${namespace}': `
		+ "it has no running pod, and the pod's own fields (name, IPs, node) come from one. "
		+ `Scale it up (kubectl scale deployment/idle -n ${namespace} --replicas=1) or wait until a pod runs, or name another target.`);
});
