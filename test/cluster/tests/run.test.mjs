// `kubebridge run` against the real cluster, through the packaged executable as a user
// types it, as a developer bound to the Role of docs/rbac.md: the program runs with the
// container's environment (Secrets included) and the workspace file's additions, reads the
// container's mounted files under KUBEBRIDGE_ROOT, a pod in the cluster calling the service
// is answered by it, its exit status comes back, signals reach it, and the cluster is
// restored after. Then every file kubebridge wrote and everything it printed is searched
// for the fixture Secrets' values.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { issueKubeconfig } from '../../helpers/cluster.mjs';
import { DEVELOPER_RULES } from '../../helpers/developer-role.mjs';
import { EXECUTABLE, bareEnv, startSidecar } from '../../helpers/executable.mjs';
import {
	SESSION_LABEL, appManifests, apply, clientManifests, comparableObject, createNamespace, deleteNamespace, getEachScript, inClient,
	kubectlAsync, rolloutDone, uniqueNamespace, waitFor,
} from '../../helpers/workload-fixtures.mjs';

const namespace = uniqueNamespace('kb-run');
const SETTINGS = `mode=${randomBytes(6).toString('hex')}\n`;
const SECRETS = { password: `pw-${randomBytes(9).toString('hex')}`, token: `tok-${randomBytes(12).toString('base64url')}` };
const sha256 = (text) => createHash('sha256').update(text).digest('hex');
let developer;
/** Everything kubebridge printed and every folder it wrote its logs to, searched at the end. */
const printed = [];
const logFolders = [];

before(async () => {
	createNamespace(namespace);
	const [deployment, service] = appManifests(namespace, 'app');
	const container = deployment.spec.template.spec.containers[0];
	container.env.push({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } });
	// Keys that are no shell identifiers become env var names the pod has as they are.
	container.envFrom = [{ prefix: 'CREDS_', secretRef: { name: 'creds' } }, { prefix: 'CFG_', configMapRef: { name: 'cfg' } }];
	container.volumeMounts = [{ name: 'settings', mountPath: '/etc/settings', readOnly: true }];
	deployment.spec.template.spec.volumes = [{ name: 'settings', configMap: { name: 'settings' } }];
	apply([
		{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace }, stringData: { password: SECRETS.password, 'api-token': SECRETS.token } },
		{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace }, data: { 'app.conf': SETTINGS } },
		{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace }, data: { 'settings.json': '{"a": 1}', 'feature-flag': 'on', plain: 'yes' } },
		deployment, service, ...clientManifests(namespace),
	]);
	developer = issueKubeconfig({ user: `dev-${namespace}`, namespace, rules: DEVELOPER_RULES });
	await Promise.all([rolloutDone(namespace, 'app'), rolloutDone(namespace, 'client')]);
});

after(() => {
	developer?.revoke();
	deleteNamespace(namespace);
});

async function freePort() {
	const server = net.createServer();
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/** A workspace folder holding `kubebridge.yaml`. */
function workspace(yaml) {
	const folder = mkdtempSync(join(tmpdir(), 'kubebridge-run-ws-'));
	writeFileSync(join(folder, 'kubebridge.yaml'), yaml);
	return folder;
}

/** A hosts file of the test's own: outbound access writes its names there, never into the machine's. */
const hostsFile = () => {
	const file = join(mkdtempSync(join(tmpdir(), 'kubebridge-run-hosts-')), 'hosts');
	writeFileSync(file, '127.0.0.1 localhost\n');
	return file;
};

/** `kubebridge <args>` in `cwd` as a user starts it; collects its output for the final search. */
function kubebridge(args, { cwd }) {
	const env = bareEnv();
	logFolders.push(env.KUBEBRIDGE_LOG_DIR);
	const child = spawn(EXECUTABLE, ['--kubeconfig', developer.kubeconfig, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
	const output = { stdout: '', stderr: '' };
	child.stdout.on('data', (d) => { output.stdout += d; });
	child.stderr.on('data', (d) => { output.stderr += d; });
	const exited = new Promise((resolve) => child.on('close', (code, signal) => {
		printed.push(output.stdout, output.stderr);
		output.ended = true;
		resolve(code ?? signal);
	}));
	return { child, output, exited, env };
}

/**
 * The local program: serves HTTP on `port`, answering with what it sees of its environment
 * (the secret only as a yes/no against its hash) and of the mounted files, and exits with
 * `code` after `/bye`.
 */
const programScript = (port, code) => `
const env = process.env;
const read = (file) => { try { return require('node:fs').readFileSync(file, 'utf8'); } catch (error) { return error.code; } };
const seen = {
	root: env.KUBEBRIDGE_ROOT, settings: read(env.KUBEBRIDGE_ROOT + '/etc/settings/app.conf'),
	settingsDir: env.SETTINGS_DIR, viaToken: read(env.SETTINGS_DIR + '/app.conf'),
	namespace: env.POD_NAMESPACE, greeting: env.GREETING, level: env.LOG_LEVEL, home: env.HOME, appAddress: env.APP_ADDRESS,
	password: require('node:crypto').createHash('sha256').update(env.DB_PASSWORD ?? '').digest('hex') === ${JSON.stringify(sha256(SECRETS.password))},
	token: require('node:crypto').createHash('sha256').update(env['CREDS_api-token'] ?? '').digest('hex') === ${JSON.stringify(sha256(SECRETS.token))},
};
require('node:http').createServer((req, res) => {
	res.end(JSON.stringify({ answeredBy: 'the local program', path: req.url, seen }));
	if (req.url === '/bye') setTimeout(() => process.exit(${code}), 100);
}).listen(${port}, '127.0.0.1', () => console.log('listening on ' + ${port}));`;

const NODE = process.execPath;
async function untilListening(run) {
	await waitFor('the program listens, or kubebridge ends', () => run.output.stdout.includes('listening') || run.output.ended, { ms: 180_000 });
	assert.ok(!run.output.ended, `kubebridge ended early: ${run.output.stderr}`);
}

async function restored(before) {
	assert.deepEqual(await comparableObject('deployment', namespace, 'app'), before, 'the Deployment is exactly as it was');
	await waitFor('the session objects are gone', async () => (await kubectlAsync(['get', 'pods,leases,serviceaccounts,roles,rolebindings', '-n', namespace,
		'-l', SESSION_LABEL, '-o', 'name'])).stdout.trim() === '');
}

test("run: the program gets the container's environment and the workspace file's, answers the cluster, and its exit status comes back", async () => {
	const before = await comparableObject('deployment', namespace, 'app');
	const port = await freePort();
	const cwd = workspace(`version: 1\nenv:\n  GREETING: "hello from $(POD_NAMESPACE)"\n  LOG_LEVEL: debug\n  APP_ADDRESS: $(services:app)\n`
		+ '  SETTINGS_DIR: $(volumeMounts:settings)\n');
	const hosts = hostsFile();
	const run = kubebridge(['run', 'app', '-n', namespace, '--local-port', String(port), '--hosts-file', hosts,
		'--', NODE, '-e', programScript(port, 7)], { cwd });
	try {
		await untilListening(run);
		assert.match(run.output.stderr, /Ready: service\/app in kb-run-\w+ \(1 pod: 80→localhost:\d+\)/);
		const [answer] = await inClient(namespace, getEachScript([`http://app.${namespace}/hello`]));
		assert.equal(answer.status, 200, JSON.stringify(answer));
		const body = JSON.parse(answer.body);
		assert.equal(body.answeredBy, 'the local program');
		// HOME is not the pod's to set, so the program keeps this machine's.
		const { appAddress, root, settings, settingsDir, viaToken, ...seen } = body.seen;
		assert.deepEqual(seen, { namespace, greeting: `hello from ${namespace}`, level: 'debug', home: run.env.HOME, password: true, token: true });
		assert.match(run.output.stderr, new RegExp(`Mounted files of service/app \\(KUBEBRIDGE_ROOT=${root}\\):\n    /etc/settings → ${root}/etc/settings \\(configMap, 1 file\\)`));
		assert.ok(root.startsWith(join(tmpdir(), 'kubebridge', 'sessions')), `KUBEBRIDGE_ROOT is the session's copy: ${root}`);
		assert.equal(settings, SETTINGS, 'the mounted ConfigMap file is read under KUBEBRIDGE_ROOT');
		assert.deepEqual([settingsDir, viaToken], [`${root}/etc/settings`, SETTINGS], 'a $(volumeMounts:…) token is the local folder of that mount');
		assert.match(appAddress, /^127\.\d+\.\d+\.\d+$/, 'a $(services:…) token is the local address outbound access gives the service');
		assert.match(readFileSync(hosts, 'utf8'), new RegExp(`${appAddress.replaceAll('.', '\\.')}\\s.*\\bapp\\.${namespace}\\b`), 'its names are in the hosts file given');
		await inClient(namespace, getEachScript([`http://app.${namespace}/bye`]));
		assert.equal(await run.exited, 7, run.output.stderr);
		assert.match(run.output.stderr, /exited with 7; disconnecting…\n[\s\S]*Restored Deployment\/kb-run-\w+\/app\./);
		await restored(before);
		assert.equal(readFileSync(hosts, 'utf8'), '127.0.0.1 localhost\n', 'the names are gone again');
		assert.equal(existsSync(root), false, 'the copy of the mounted files is gone with the session');
	} finally {
		run.child.kill('SIGKILL');
	}
});

test('run: SIGTERM goes to the program; kubebridge restores the cluster and exits with 128 + 15', async () => {
	const before = await comparableObject('deployment', namespace, 'app');
	const port = await freePort();
	const run = kubebridge(['run', 'app', '-n', namespace, '--local-port', String(port), '--hosts-file', hostsFile(),
		'--', NODE, '-e', programScript(port, 0)],
		{ cwd: mkdtempSync(join(tmpdir(), 'kubebridge-run-ws-')) });
	try {
		await untilListening(run);
		run.child.kill('SIGTERM');
		assert.equal(await run.exited, 143, run.output.stderr);
		assert.match(run.output.stderr, /exited with 143/);
		await restored(before);
	} finally {
		run.child.kill('SIGKILL');
	}
});

test("run: the program's arguments arrive exactly as typed, -0 and a second -- included", async () => {
	const before = await comparableObject('deployment', namespace, 'app');
	const run = kubebridge(['run', 'app', '-n', namespace, '--local-port', String(await freePort()), '--no-outbound',
		'--', '/usr/bin/printf', '[%s]', '-0', '-a', '--', ''], { cwd: mkdtempSync(join(tmpdir(), 'kubebridge-run-ws-')) });
	try {
		assert.equal(await run.exited, 0, run.output.stderr);
		assert.equal(run.output.stdout, '[-0][-a][--][]');
		await restored(before);
	} finally {
		run.child.kill('SIGKILL');
	}
});

test("run: a launch command written as one string hands the program the env vars whose names hold a dot or a dash, with the pod's values", async () => {
	const inPod = await kubectlAsync(['exec', '-n', namespace, 'deploy/app', '-c', 'app', '--', 'node', '-e', 'process.stdout.write(JSON.stringify(process.env))']);
	const odd = Object.fromEntries(Object.entries(JSON.parse(inPod.stdout)).filter(([name]) => /[.-]/.test(name)));
	assert.deepEqual(Object.keys(odd).sort(), ['CFG_feature-flag', 'CFG_settings.json', 'CREDS_api-token']);
	const before = await comparableObject('deployment', namespace, 'app');
	const cwd = mkdtempSync(join(tmpdir(), 'kubebridge-run-ws-'));
	writeFileSync(join(cwd, 'dump-env.cjs'), "require('node:fs').writeFileSync('seen.json', JSON.stringify(process.env))");
	writeFileSync(join(cwd, 'kubebridge.yaml'), `version: 1\nlaunch:\n  command: "'${NODE}' dump-env.cjs"\n`);
	const run = kubebridge(['run', 'app', '-n', namespace, '--local-port', String(await freePort()), '--no-outbound'], { cwd });
	try {
		assert.equal(await run.exited, 0, run.output.stderr);
		const seen = JSON.parse(readFileSync(join(cwd, 'seen.json'), 'utf8'));
		const same = Object.keys(odd).filter((name) => seen[name] === odd[name]);
		assert.deepEqual(same, Object.keys(odd), 'every such variable reached the program with the value it has in the pod');
		await restored(before);
	} finally {
		run.child.kill('SIGKILL');
	}
});

test('run: a failed connect never starts the program, and says why with a non-zero status', async () => {
	const cwd = mkdtempSync(join(tmpdir(), 'kubebridge-run-ws-'));
	const marker = join(cwd, 'started');
	const run = kubebridge(['run', 'nope', '-n', namespace, '--', NODE, '-e', `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x')`], { cwd });
	assert.equal(await run.exited, 1);
	assert.match(run.output.stderr, /kubebridge: There is no service 'nope' in namespace 'kb-run-\w+'/);
	assert.equal(existsSync(marker), false);
});

test('no fixture Secret value appears in logs, traces, progress, errors or output; only the revealed export holds them', async () => {
	const cwd = workspace('version: 1\nenv:\n  DSN: "postgres://app:$(DB_PASSWORD)@db"\n  DB: $(services:db)\n');
	// A table (masked), JSON (masked), diagnostics, and an error raised while resolving an environment that read the Secrets.
	for (const args of [['env', 'app', '-n', namespace], ['env', 'app', '-n', namespace, '-o', 'json']]) {
		const run = kubebridge(args, { cwd: mkdtempSync(join(tmpdir(), 'kubebridge-env-')) });
		assert.equal(await run.exited, 0, run.output.stderr);
	}
	// Diagnostics, with a bundle for a bug report: its archive is searched as well.
	const bundle = join(mkdtempSync(join(tmpdir(), 'kubebridge-bundle-')), 'diagnostics.tar.gz');
	const diagnostics = kubebridge(['diagnostics', '-n', namespace, '--bundle', bundle], { cwd: mkdtempSync(join(tmpdir(), 'kubebridge-env-')) });
	assert.equal(await diagnostics.exited, 0, diagnostics.output.stderr);
	printed.push(gunzipSync(readFileSync(bundle)).toString('utf8'));
	const failing = kubebridge(['env', 'app', '-n', namespace], { cwd });
	assert.equal(await failing.exited, 1);
	assert.match(failing.output.stderr, /\$\(services:db\) needs a connected session/);
	// An editor with tracing on: every message the sidecar sent is searched too.
	const sidecar = startSidecar({ args: ['--kubeconfig', developer.kubeconfig] });
	logFolders.push(sidecar.logDir);
	await sidecar.client.initialize({ cluster: { namespace }, trace: 'verbose', capabilities: { supportsLogNotifications: true, supportsWorkDoneProgress: true } });
	const masked = await sidecar.client.request('environment/get', { target: { service: 'app' }, workDoneToken: 'e' }, 60_000);
	assert.equal(masked.result.vars.find((v) => v.name === 'DB_PASSWORD').value, '****');
	await sidecar.client.request('shutdown');
	sidecar.client.notify('exit');
	await sidecar.exited;
	printed.push(JSON.stringify(sidecar.client.reader.pending), sidecar.stderr());

	// The explicitly revealed export holds them: the search below would find them.
	const exported = kubebridge(['env', 'app', '-n', namespace, '--format', 'dotenv'], { cwd: mkdtempSync(join(tmpdir(), 'kubebridge-env-')) });
	assert.equal(await exported.exited, 0);
	assert.ok(exported.output.stdout.includes(SECRETS.password));
	printed.splice(printed.indexOf(exported.output.stdout), 1);

	// Log files, and the session folders beside them (the agents' and restorers' logs).
	const filesUnder = (folder) => readdirSync(folder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
	const written = [...printed, ...logFolders.filter(existsSync).flatMap(filesUnder).map((file) => readFileSync(file, 'utf8'))];
	assert.ok(logFolders.filter(existsSync).length >= 5, 'the runs above wrote their logs');
	for (const value of Object.values(SECRETS)) {
		for (const form of [value, Buffer.from(value).toString('base64')]) {
			const holders = written.filter((text) => text.includes(form));
			assert.equal(holders.length, 0, `${form} appears in: ${holders.map((t) => t.slice(0, 200)).join('\n---\n')}`);
		}
	}
});
