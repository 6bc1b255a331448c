// Mounted files: while a session is connected, the target container's ConfigMap, Secret,
// projected (service account token included), downward API and emptyDir files are on this
// machine, byte for byte as the container has them, owner-only; a ConfigMap update reaches
// the copy; disconnect removes it, and a later start removes what a dead session left;
// kubebridge.yaml's `mountFiles: false` leaves the files in the cluster.
// kubebridge runs as its packaged executable, driven as an editor drives it, as a developer
// bound to the Role of docs/rbac.md; the admin sets up the fixtures and reads the pods' files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs, { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startSidecar } from '../../helpers/executable.mjs';
import {
	DEMO_IMAGE, RESTRICTED_CONTAINER, apply, connectAsDeveloper, createNamespace, deleteNamespace, disconnectAndExit,
	kubectlAsync, kubectlJsonAsync, nextChange, rolloutDone, uniqueNamespace, waitFor,
} from '../../helpers/workload-fixtures.mjs';
import { oneContainerWorkload } from '../../helpers/workload-manifest.mjs';

const namespace = uniqueNamespace('kb-files');
const sidecars = [];
const labels = { app: 'files' };
const SA_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
const MOUNTS = ['/etc/config', '/etc/creds', '/etc/locked', '/etc/projected', '/etc/podinfo', '/scratch', SA_MOUNT];
/** Files that belong to one pod (its name, its bound tokens): compared with the agent pod's own. */
const POD_OWN = ['/etc/podinfo/name', '/etc/projected/token', `${SA_MOUNT}/token`];
const BINARY = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80, 10, 13]);

function fixtures() {
	const volumeMounts = [
		{ name: 'config', mountPath: '/etc/config' },
		{ name: 'creds', mountPath: '/etc/creds', readOnly: true },
		{ name: 'locked', mountPath: '/etc/locked', readOnly: true },
		{ name: 'projected', mountPath: '/etc/projected', readOnly: true },
		{ name: 'podinfo', mountPath: '/etc/podinfo' },
		{ name: 'scratch', mountPath: '/scratch' },
	];
	return [
		{
			apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace },
			data: { 'app.yaml': 'greeting: hello\nlist:\n  - ü\n', 'empty.txt': '' }, binaryData: { 'blob.bin': BINARY.toString('base64') },
		},
		{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-secret', namespace }, stringData: { password: 's3cr3t-files-fixture', 'tls.key': '-----BEGIN KEY-----\nabc\n' } },
		oneContainerWorkload(namespace, 'files', {
			name: 'app', image: DEMO_IMAGE, imagePullPolicy: 'Never', args: ['--name=files', '--http=8080'],
			ports: [{ name: 'http', containerPort: 8080 }],
			resources: { limits: { cpu: '250m', memory: '128Mi' } },
			readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 },
			securityContext: RESTRICTED_CONTAINER,
			volumeMounts,
		}, {
			pod: {
				terminationGracePeriodSeconds: 2,
				volumes: [
					{ name: 'config', configMap: { name: 'app-config', items: [{ key: 'app.yaml', path: 'app.yaml' }, { key: 'blob.bin', path: 'data/blob.bin' }, { key: 'empty.txt', path: 'empty.txt' }] } },
					{ name: 'creds', secret: { secretName: 'app-secret' } },
					// Root-owned 0400 without an fsGroup: neither the app (UID 65532) nor the agent can read it.
					{ name: 'locked', secret: { secretName: 'app-secret', defaultMode: 0o400 } },
					{ name: 'projected', projected: { sources: [
						{ configMap: { name: 'app-config', items: [{ key: 'app.yaml', path: 'config/app.yaml' }] } },
						{ secret: { name: 'app-secret', items: [{ key: 'password', path: 'secret/password' }] } },
						{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
						{ downwardAPI: { items: [{ path: 'app-label', fieldRef: { fieldPath: "metadata.labels['app']" } }] } },
					] } },
					{ name: 'podinfo', downwardAPI: { items: [
						{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } },
						{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
						{ path: 'cpu-limit', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' } },
					] } },
					{ name: 'scratch', emptyDir: {} },
				],
				initContainers: [{
					name: 'seed', image: DEMO_IMAGE, imagePullPolicy: 'Never', securityContext: RESTRICTED_CONTAINER,
					command: ['/usr/local/bin/node', '-e', "const fs = require('fs'); fs.mkdirSync('/scratch/sub'); fs.writeFileSync('/scratch/sub/seed.txt', 'seeded by the init container\\n')"],
					volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
				}],
			},
		}),
		{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'files', namespace, labels }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
	];
}

/**
 * Walks `paths` under `prefix` as the container's process sees them (links followed, the
 * kubelet's `..` internals left out): path → base64 content, or the error code reading it
 * gave. Runs here and, as its source text, in the pods.
 */
function dump(fs, paths, prefix) {
	const out = {};
	const walk = (abs, rel) => {
		let st;
		try { st = fs.statSync(abs); } catch (e) { out[rel] = e.code; return; }
		if (st.isDirectory()) {
			let names;
			try { names = fs.readdirSync(abs); } catch (e) { out[rel] = e.code; return; }
			const kubelet = names.includes('..data');
			for (const name of names) if (!(kubelet && name.startsWith('..'))) walk(`${abs}/${name}`, `${rel}/${name}`);
			return;
		}
		try { out[rel] = fs.readFileSync(abs).toString('base64'); } catch (e) { out[rel] = e.code; }
	};
	for (const path of paths) walk(prefix + path, path);
	return out;
}

async function podFiles(pod) {
	const script = `console.log(JSON.stringify((${dump})(require('fs'), ${JSON.stringify(MOUNTS)}, '')))`;
	const run = await kubectlAsync(['exec', '-n', namespace, pod, '-c', 'app', '--', '/usr/local/bin/node', '-e', script]);
	return JSON.parse(run.stdout);
}

const localFiles = (root) => dump(fs, MOUNTS, root);

const without = (files, paths) => Object.fromEntries(Object.entries(files).filter(([path]) => !paths.includes(path)));
const decoded = (files, path) => Buffer.from(files[path], 'base64').toString('utf8');

/** Every folder and file under `dir` with its permission bits. */
function modes(dir, out = {}) {
	for (const name of readdirSync(dir)) {
		const path = join(dir, name);
		const info = statSync(path);
		out[path] = info.mode & 0o777;
		if (info.isDirectory()) modes(path, out);
	}
	return out;
}

before(async () => {
	createNamespace(namespace);
	apply(fixtures());
	await rolloutDone(namespace, 'files');
});

after(() => {
	for (const sidecar of sidecars) if (sidecar.child.exitCode === null && sidecar.child.signalCode === null) sidecar.child.kill('SIGKILL');
	deleteNamespace(namespace);
});

test('mounted files are copied byte for byte, owner-only, refreshed on a ConfigMap update and gone after disconnect', { timeout: 420_000 }, async (t) => {
	const [original] = (await kubectlJsonAsync(['get', 'pods', '-n', namespace, '-l', 'app=files'])).items.filter((p) => !p.metadata.deletionTimestamp);
	const before = await podFiles(original.metadata.name);
	assert.equal(decoded(before, '/etc/creds/password'), 's3cr3t-files-fixture');
	assert.equal(before['/etc/locked/password'], 'EACCES', 'the fixture: the app cannot read the 0400 secret either');

	const { sidecar, connected } = await connectAsDeveloper(namespace, [{ service: 'files' }]);
	sidecars.push(sidecar);
	const files = connected.targets[0].files;
	t.diagnostic(`files root: ${files.root}`);
	assert.equal(files.envVar, 'KUBEBRIDGE_ROOT');
	assert.ok(files.root.startsWith(join(tmpdir(), 'kubebridge', 'sessions', connected.sessionId)), files.root);
	assert.deepEqual(files.mounts.map((m) => [m.mountPath, m.kind, m.secret, m.localPath]), [
		['/etc/config', 'configMap', false, `${files.root}/etc/config`],
		['/etc/creds', 'secret', true, `${files.root}/etc/creds`],
		['/etc/locked', 'secret', true, `${files.root}/etc/locked`],
		['/etc/podinfo', 'downwardAPI', false, `${files.root}/etc/podinfo`],
		['/etc/projected', 'projected', true, `${files.root}/etc/projected`],
		['/scratch', 'emptyDir', false, `${files.root}/scratch`],
		[SA_MOUNT, 'projected', true, `${files.root}${SA_MOUNT}`],
	]);
	const locked = files.mounts.find((m) => m.mountPath === '/etc/locked');
	assert.deepEqual(locked.skipped.map((s) => [s.path, s.reason]).sort(), [['/etc/locked/password', 'unreadable'], ['/etc/locked/tls.key', 'unreadable']]);
	assert.equal(locked.fileCount, 0);

	const local = localFiles(files.root);
	const agent = await podFiles(files.pod);
	// Not readable in the container, so not copied: missing here rather than an error code.
	const unreadable = Object.keys(before).filter((path) => before[path] === 'EACCES');
	assert.deepEqual(unreadable.sort(), ['/etc/locked/password', '/etc/locked/tls.key']);
	assert.deepEqual(local, without(agent, unreadable), 'every file as the agent pod has it');
	assert.deepEqual(without(local, POD_OWN), without(before, [...unreadable, ...POD_OWN]), 'every file not tied to one pod as the original pod had it');
	assert.deepEqual(Buffer.from(local['/etc/config/data/blob.bin'], 'base64'), BINARY);
	assert.equal(decoded(local, '/scratch/sub/seed.txt'), 'seeded by the init container\n');
	assert.equal(decoded(local, '/etc/podinfo/name'), files.pod);
	assert.equal(decoded(local, '/etc/podinfo/cpu-limit'), '250');
	assert.match(decoded(local, `${SA_MOUNT}/token`), /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);

	const sessionFolder = join(tmpdir(), 'kubebridge', 'sessions', connected.sessionId);
	const permissions = modes(sessionFolder);
	for (const [path, mode] of Object.entries(permissions)) {
		if (statSync(path).isDirectory()) assert.equal(mode, 0o700, path);
		else assert.equal(mode, 0o600, path);
	}
	assert.equal(statSync(sessionFolder).mode & 0o777, 0o700);

	assert.deepEqual(connected.targets[0].environment, { KUBEBRIDGE_ROOT: files.root }, "the session's part of the handed-over environment");
	const env = await sidecar.client.request('environment/get', { target: { service: 'files' } });
	assert.deepEqual(env.result.vars.find((v) => v.name === 'KUBEBRIDGE_ROOT'), { name: 'KUBEBRIDGE_ROOT', value: files.root, source: 'session', secret: false });
	const dotenv = await sidecar.client.request('environment/export', { target: { service: 'files' }, format: 'dotenv' });
	assert.ok(dotenv.result.text.includes(`KUBEBRIDGE_ROOT='${files.root}'`), dotenv.result.text);

	const status = await sidecar.client.request('session/status', {});
	assert.deepEqual(status.result.targets[0].files.mounts.map((m) => m.fileCount), files.mounts.map((m) => m.fileCount));

	// The kubelet writes a ConfigMap change into the volume on its next sync of the pod
	// (about a minute on a default kubelet), then the copy follows within a refresh.
	const changed = nextChange(sidecar, 'filesChanged', (p) => p.files.includes(`${files.root}/etc/config/app.yaml`), 240_000);
	await kubectlAsync(['patch', 'configmap', 'app-config', '-n', namespace, '--type', 'merge', '-p', JSON.stringify({ data: { 'app.yaml': 'greeting: updated\n' } })]);
	const started = Date.now();
	await waitFor('the updated ConfigMap in the local copy',
		() => readFileSync(`${files.root}/etc/config/app.yaml`, 'utf8') === 'greeting: updated\n', { ms: 240_000, every: 500 });
	t.diagnostic(`update seen locally after ${Date.now() - started} ms`);
	await changed;
	assert.equal(readFileSync(`${files.root}/etc/projected/config/app.yaml`, 'utf8'), 'greeting: updated\n');
	assert.equal(statSync(`${files.root}/etc/config/app.yaml`).mode & 0o777, 0o600);

	await disconnectAndExit(sidecar);
	assert.equal(existsSync(sessionFolder), false, 'the session folder is gone after disconnect');
});

test("kubebridge.yaml's mountFiles: false copies nothing, hands over no root, and a volumeMounts token says what it needs", { timeout: 300_000 }, async () => {
	const workspaceFolder = mkdtempSync(join(tmpdir(), 'kubebridge-files-ws-'));
	writeFileSync(join(workspaceFolder, 'kubebridge.yaml'), 'version: 1\nenv:\n  CONFIG_DIR: $(volumeMounts:config)\nfeatures:\n  mountFiles: false\n');
	const { sidecar, connected } = await connectAsDeveloper(namespace, [{ service: 'files' }], {}, { workspaceFolder });
	sidecars.push(sidecar);
	try {
		assert.deepEqual([connected.targets[0].files, connected.targets[0].environment], [null, {}]);
		assert.equal(existsSync(join(tmpdir(), 'kubebridge', 'sessions', connected.sessionId)), false, 'no session folder of copies');
		const env = await sidecar.client.request('environment/get', { target: { service: 'files' } });
		assert.equal(env.error?.code, -33501, JSON.stringify(env));
		assert.match(env.error.message, /\$\(volumeMounts:config\) needs a connected session with the copied mounted files/);
	} finally {
		await disconnectAndExit(sidecar);
		fs.rmSync(workspaceFolder, { recursive: true, force: true });
	}
});

test('a later start removes the folder a dead session left, and keeps a live one', { timeout: 60_000 }, async () => {
	const base = join(tmpdir(), 'kubebridge', 'sessions');
	mkdirSync(base, { recursive: true, mode: 0o700 });
	const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
	const deadFolder = join(base, `dead${Date.now().toString(16)}`);
	const liveFolder = join(base, `live${Date.now().toString(16)}`);
	for (const [folder, pid] of [[deadFolder, Number(dead.stdout)], [liveFolder, process.pid]]) {
		mkdirSync(join(folder, 'files'), { recursive: true, mode: 0o700 });
		writeFileSync(join(folder, 'owner.json'), JSON.stringify({ session: folder, pid, since: new Date().toISOString() }));
		writeFileSync(join(folder, 'files', 'password'), 'left behind', { mode: 0o600 });
	}
	const sidecar = startSidecar();
	sidecars.push(sidecar);
	try {
		const init = await sidecar.client.initialize({});
		assert.ok(init.result, JSON.stringify(init.error));
		assert.equal(existsSync(deadFolder), false, "the dead session's copy is removed");
		assert.equal(existsSync(liveFolder), true, "a live process's folder stays");
	} finally {
		await sidecar.client.request('shutdown', undefined, 10_000);
		sidecar.client.notify('exit');
		await sidecar.exited;
		fs.rmSync(liveFolder, { recursive: true, force: true });
		assert.equal(existsSync(dirname(liveFolder)), true);
	}
});
