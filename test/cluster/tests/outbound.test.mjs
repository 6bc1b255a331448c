// Outbound access: while a session is connected, code on this machine reaches the cluster's
// services by the names it uses in the cluster. The sidecar runs as its packaged executable
// as a developer bound to the Role of docs/rbac.md; the hosts file is a copy (given by
// path) or, in a private mount namespace, the real /etc/hosts path with a copy bound over
// it. Every variant of the file must be byte-identical after every kind of exit.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import net from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { issueKubeconfig } from '../../helpers/cluster.mjs';
import { DEVELOPER_RULES } from '../../helpers/developer-role.mjs';
import { EXECUTABLE, runExecutable, startSidecar } from '../../helpers/executable.mjs';
import {
	DEMO_IMAGE, RESTRICTED_CONTAINER, appManifests, apply, comparableObject, connectAsDeveloper, createNamespace,
	disconnectAndExit, httpGet, kubectlAsync, rolloutDone, startLocalServer,
} from '../../helpers/workload-fixtures.mjs';
import { resolver } from '../../helpers/hosts-resolver.mjs';
import { clusterTestSpace } from '../../helpers/test-space.mjs';
import { oneContainerWorkload } from '../../helpers/workload-manifest.mjs';

const space = clusterTestSpace('kb-out');
const { ns, folder, sidecars } = space;
const FIXTURE_SECRET = `s3cr3t-${randomBytes(8).toString('hex')}`;

const ORIGINAL_CRLF = '127.0.0.1\tlocalhost\r\n# kept as it is\r\n::1 ip6-localhost ip6-loopback\r\n10.9.8.7 orders.elsewhere';

function hostsCopy(name, content) {
	const path = join(folder, name);
	writeFileSync(path, content, 'latin1');
	return path;
}

function echoManifests(namespace) {
	return [
		oneContainerWorkload(namespace, 'echo', {
			name: 'echo', image: DEMO_IMAGE, imagePullPolicy: 'Never', args: ['--name=echo', '--echo=7000'],
			ports: [{ name: 'tcp', containerPort: 7000 }], securityContext: RESTRICTED_CONTAINER,
			readinessProbe: { tcpSocket: { port: 7000 }, periodSeconds: 1 },
		}, { pod: { terminationGracePeriodSeconds: 0 } }),
		{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace }, spec: { selector: { app: 'echo' }, ports: [{ name: 'tcp', port: 7000, targetPort: 'tcp' }] } },
	];
}

/** A StatefulSet behind a headless service: `db-0.db` and `db-1.db` answer as themselves. */
function dbManifests(namespace) {
	return [
		{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] } },
		oneContainerWorkload(namespace, 'db', {
			name: 'db', image: DEMO_IMAGE, imagePullPolicy: 'Never', args: ['--name=db', '--http=8080'],
			ports: [{ name: 'http', containerPort: 8080 }], securityContext: RESTRICTED_CONTAINER,
			readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 },
		}, { kind: 'StatefulSet', replicas: 2, spec: { serviceName: 'db', podManagementPolicy: 'Parallel' }, pod: { terminationGracePeriodSeconds: 0 } }),
	];
}

const connectWith = async (outbound) => {
	const connection = await connectAsDeveloper(ns, [{ service: 'api', localPort: space.local.port }], { outbound });
	sidecars.push(connection.sidecar);
	return connection;
};

const sha = (buffer) => createHash('sha256').update(buffer).digest('hex');

/** Sends `bytes` through a raw TCP echo and reads them all back. */
function echoRoundTrip(address, port, bytes) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let received = 0;
		const socket = net.connect(port, address, () => socket.end(bytes));
		socket.on('data', (d) => { chunks.push(d); received += d.length; });
		socket.on('end', () => resolve(Buffer.concat(chunks, received)));
		socket.on('error', reject);
	});
}

const body = (response) => JSON.parse(response.body);

before(async () => {
	createNamespace(ns);
	// The api's container reads a Secret, so diagnostics have a secret value to keep out of sight.
	const api = appManifests(ns, 'api');
	api[0].spec.template.spec.containers[0].env.push({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'api-secret', key: 'password' } } });
	apply([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api-secret', namespace: ns }, stringData: { password: FIXTURE_SECRET } },
		...api, ...appManifests(ns, 'orders'), ...echoManifests(ns), ...dbManifests(ns)]);
	await Promise.all([rolloutDone(ns, 'api'), rolloutDone(ns, 'orders'), rolloutDone(ns, 'echo'),
		kubectlAsync(['rollout', 'status', 'statefulset/db', '-n', ns, '--timeout=90s'])]);
	space.local = await startLocalServer();
});


test('services answer by their cluster names from this machine; the hosts file comes back byte for byte', async () => {
	const path = hostsCopy('crlf-no-final-newline', ORIGINAL_CRLF);
	const { sidecar, connected } = await connectWith({ hostsPath: path });
	const { outbound } = connected;
	assert.equal(outbound.mode, 'names');
	assert.equal(outbound.hostsPath, path);
	const during = readFileSync(path, 'latin1');
	assert.ok(during.startsWith(ORIGINAL_CRLF), 'lines outside the block are kept');
	assert.match(during, /# >>> kubebridge session=/);
	assert.ok(!/[^\r]\n/.test(during), 'the block uses the file\'s CRLF endings');
	const names = resolver(during);
	const orders = names.get('orders');
	for (const name of [`orders.${ns}`, `orders.${ns}.svc`, `orders.${ns}.svc.cluster.local`]) assert.equal(names.get(name), orders, name);
	assert.match(orders, /^127\.\d+\.\d+\.\d+$/);

	for (const name of ['orders', `orders.${ns}`, `orders.${ns}.svc.cluster.local`]) {
		const response = await httpGet(`http://${names.get(name)}:80/hello`, { headers: { host: name } });
		assert.equal(response.status, 200, `${name}: ${JSON.stringify(response)}`);
		assert.deepEqual([body(response).service, body(response).namespace, body(response).path], ['orders', ns, '/hello']);
	}
	for (const pod of ['db-0', 'db-1']) {
		const response = await httpGet(`http://${names.get(`${pod}.db`)}:8080/`);
		assert.equal(body(response).pod, pod, `${pod}.db answers as itself`);
	}
	assert.equal(body(await httpGet(`http://${names.get('db')}:8080/`)).service, 'db');
	// The taken-over service reached from here ends at this machine, as it would from a pod:
	// connect answered only once the node's proxy routed the cluster IP to the agents.
	assert.ok(space.local.answered(await httpGet(`http://${names.get('api')}:80/`)));

	const payload = randomBytes(24 * 1024 * 1024);
	assert.equal(sha(await echoRoundTrip(names.get('echo'), 7000, payload)), sha(payload), 'raw TCP, 24 MiB both ways');

	const many = await Promise.all(Array.from({ length: 64 }, (_, i) => httpGet(`http://${orders}:80/n${i}`, { timeoutMs: 20_000 })));
	assert.deepEqual(many.map((r) => r.status), many.map(() => 200));

	const status = (await sidecar.client.request('session/status', {})).result;
	const ordersPort = status.outbound.services.find((s) => s.service === 'orders' && !s.pod).ports[0];
	assert.ok(ordersPort.connections >= 67, `connections counted: ${ordersPort.connections}`);
	const echoPort = status.outbound.services.find((s) => s.service === 'echo').ports[0];
	assert.ok(echoPort.bytesOut >= payload.length && echoPort.bytesIn >= payload.length, JSON.stringify(echoPort));

	// The service env vars handed over point at the local addresses, and each rewrite is listed.
	const environment = (await sidecar.client.request('environment/get', { target: { service: 'api' } }, 30_000)).result;
	const valueOf = (name) => environment.vars.find((v) => v.name === name)?.value;
	assert.equal(valueOf('ORDERS_SERVICE_HOST'), orders);
	assert.equal(valueOf('ORDERS_PORT'), `tcp://${orders}:80`);
	const rewrite = environment.rewrites.find((r) => r.name === 'ORDERS_SERVICE_HOST');
	assert.match(rewrite.from, /^10\.96\./);
	assert.equal(rewrite.to, orders);
	assert.ok(environment.rewrites.every((r) => valueOf(r.name) === r.to));

	await checkDiagnostics(sidecar, path, connected);

	await disconnectAndExit(sidecar);
	assert.equal(readFileSync(path, 'latin1'), ORIGINAL_CRLF);
});

/** Diagnostics list what is really there: the hosts block, the listeners, the agents, their logs; the bundle holds no secret. */
async function checkDiagnostics(sidecar, path, connected) {
	const bundle = join(folder, 'bundle.tar.gz');
	const d = (await sidecar.client.request('diagnostics/get', { bundle }, 60_000)).result;
	assert.deepEqual(d.problems, []);
	const block = d.hosts.blocks.find((b) => b.sessionId === connected.sessionId);
	assert.equal(d.hosts.path, path);
	assert.ok(block.alive);
	const inBlock = readFileSync(path, 'latin1').split('# >>> kubebridge')[1].split('\r\n').slice(1, -1);
	const fileNames = inBlock.map((l) => l.split(' ')[1]).sort();
	assert.deepEqual(block.entries.flatMap((e) => e.names).sort(), fileNames, 'the names in force are the file\'s');
	const agents = (await kubectlAsync(['get', 'pods', '-n', ns, '-l', `kubebridge.io/session=${connected.sessionId},!kubebridge.io/role`, '-o', 'name'])).stdout
		.split('\n').filter(Boolean).map((n) => n.replace('pod/', '')).sort();
	assert.deepEqual(d.session.agents.map((a) => a.pod).sort(), agents);
	const inCluster = d.clusterSessions.find((s) => s.sessionId === connected.sessionId);
	assert.deepEqual(inCluster.pods.filter((p) => p.role === 'agent').map((p) => p.name).sort(), agents);
	assert.equal(inCluster.pods.filter((p) => p.role === 'restorer').length, 1);
	assert.ok(d.session.outbound.services.some((s) => s.service === 'echo' && s.ports[0].bytesIn > 0));
	assert.equal(d.environment[0].vars.find((v) => v.name === 'DB_PASSWORD').value, '****');
	assert.ok(d.logs.agentLogs.length >= 2, 'agent and restorer logs stream into the session folder');
	for (const file of d.logs.agentLogs) assert.ok(existsSync(file) && statSync(file).size > 0, `${file} has the pod's log`);
	assert.equal(d.bundle, bundle);
	const archive = gunzipSync(readFileSync(bundle)).toString('latin1');
	assert.match(archive, /diagnostics\.json/);
	assert.ok(!archive.includes(FIXTURE_SECRET) && !archive.includes(Buffer.from(FIXTURE_SECRET).toString('base64')), 'no secret in the bundle');
	const revealed = (await sidecar.client.request('diagnostics/get', { reveal: true }, 60_000)).result;
	assert.equal(revealed.environment[0].vars.find((v) => v.name === 'DB_PASSWORD').value, FIXTURE_SECRET);

	const developer = issueKubeconfig({ user: `dev-${ns}`, namespace: ns, rules: DEVELOPER_RULES });
	const cli = runExecutable(['diagnostics', '-n', ns, '--kubeconfig', developer.kubeconfig, '-o', 'json']);
	assert.equal(cli.status, 0, cli.stderr);
	assert.ok(JSON.parse(cli.stdout).clusterSessions.some((s) => s.sessionId === connected.sessionId), 'the CLI sees the session in the cluster');
}

test('after kill -9, kubebridge restore removes the stale names and the session folder, the next session does too, and a connect that fails late leaves the file as it was', async () => {
	const original = '127.0.0.1 localhost\r\n# kept\r\n';
	const path = hostsCopy('after-crash', original);
	const first = await connectWith({ hostsPath: path });
	const sessionFolder = join(tmpdir(), 'kubebridge', 'sessions', first.connected.sessionId);
	assert.ok(existsSync(sessionFolder), 'the session has its folder');
	first.sidecar.child.kill('SIGKILL');
	await first.sidecar.exited;
	assert.match(readFileSync(path, 'latin1'), new RegExp(`session=${first.connected.sessionId}`), 'a crash leaves the block');

	const developer = issueKubeconfig({ user: `dev-${ns}`, namespace: ns, rules: DEVELOPER_RULES });
	const restored = runExecutable(['restore', '-n', ns, '--kubeconfig', developer.kubeconfig, '--hosts-file', path]);
	assert.equal(restored.status, 0, restored.stderr);
	assert.match(restored.stdout, new RegExp(`Cleaned on this machine: .*the names of session ${first.connected.sessionId}`));
	assert.equal(readFileSync(path, 'latin1'), original, 'kubebridge restore put the hosts file back byte for byte');
	assert.equal(existsSync(sessionFolder), false, 'and removed the session folder with its copied secrets');

	// A second crash, cleaned by the next connect instead.
	const second = await connectWith({ hostsPath: path });
	second.sidecar.child.kill('SIGKILL');
	await second.sidecar.exited;
	assert.ok(runExecutable(['restore', '-n', ns, '--kubeconfig', developer.kubeconfig, '--hosts-file', hostsCopy('other', '')]).status === 0);
	assert.match(readFileSync(path, 'latin1'), new RegExp(`session=${second.connected.sessionId}`), 'restore cleans only the hosts file it is given');

	const before = await comparableObject('deployment', ns, 'api');
	// kube-system is outside the developer's Role: outbound fails after the agents serve.
	const failing = await connectAsDeveloper(ns, [{ service: 'api', localPort: space.local.port }], { outbound: { hostsPath: path, namespaces: ['kube-system'] } })
		.then(() => null, (error) => error);
	assert.match(String(failing?.message), /forbidden|Forbidden/);
	assert.equal(readFileSync(path, 'latin1'), original, 'the stale block is gone and the failed session left none');
	assert.deepEqual(await comparableObject('deployment', ns, 'api'), before, 'the failed connect restored the workload');

	const third = await connectWith({ hostsPath: path });
	const blocks = readFileSync(path, 'latin1').match(/# >>> kubebridge session=\S+/g);
	assert.deepEqual(blocks, [`# >>> kubebridge session=${third.connected.sessionId}`]);
	await disconnectAndExit(third.sidecar);
	assert.equal(readFileSync(path, 'latin1'), original);
});

test('no-hosts mode: 127.0.0.1 ports in a table, the hosts file untouched, the result says names do not resolve; an external endpoint goes out through the cluster', async () => {
	const path = hostsCopy('untouched', '127.0.0.1 localhost\n');
	// A host this machine cannot resolve, reached through the cluster as an external endpoint.
	const outside = { host: `orders.${ns}.svc.cluster.local`, port: 80 };
	const { sidecar, connected } = await connectWith({ hostsFile: false, hostsPath: path, externalEndpoints: [outside] });
	assert.equal(connected.outbound.mode, 'noHosts');
	assert.equal(connected.outbound.hostsPath, null);
	assert.match(connected.outbound.notes[0], /do not resolve/);
	const orders = connected.outbound.services.find((s) => s.service === 'orders');
	assert.equal(orders.address, '127.0.0.1');
	assert.deepEqual(orders.names, []);
	assert.equal(body(await httpGet(`http://127.0.0.1:${orders.ports[0].localPort}/`)).service, 'orders');
	const external = connected.outbound.external[0];
	assert.deepEqual([external.host, external.port, external.address], [outside.host, 80, '127.0.0.1']);
	assert.equal(body(await httpGet(`http://127.0.0.1:${external.localPort}/via-cluster`)).path, '/via-cluster');
	assert.equal(readFileSync(path, 'latin1'), '127.0.0.1 localhost\n');
	await disconnectAndExit(sidecar);
});

test('the CLI edits the real /etc/hosts path (a copy bound over it in a private mount namespace) and SIGINT removes the names', async () => {
	const original = '127.0.0.1 localhost\n::1 localhost ip6-localhost\n';
	const path = hostsCopy('bound-over-etc-hosts', original);
	const machineHosts = readFileSync('/etc/hosts');
	const developer = issueKubeconfig({ user: `dev-${ns}`, namespace: ns, rules: DEVELOPER_RULES });
	const driver = new URL('../../helpers/outbound-in-namespace.mjs', import.meta.url).pathname;
	const child = spawn('unshare', ['-m', '--propagation', 'private', process.execPath, driver, path, EXECUTABLE, developer.kubeconfig, ns, 'api', String(space.local.port)],
		{ stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, KUBEBRIDGE_LOG_DIR: join(folder, 'logs') } });
	let out = '';
	child.stdout.on('data', (d) => { out += d; });
	await new Promise((resolve) => child.on('exit', resolve));
	const result = JSON.parse(out.trim().split('\n').pop());
	assert.equal(result.error, undefined, result.stderr);
	assert.match(result.during, /127\.\d+\.\d+\.\d+ orders\n/);
	for (const [url, answer] of Object.entries(result.answers)) {
		assert.equal(answer.status, 200, `${url}: ${JSON.stringify(answer)}`);
		assert.equal(body(answer).service, url.includes('db-0') ? 'db' : 'orders', url);
	}
	assert.equal(body(result.answers['http://db-0.db:8080/']).pod, 'db-0');
	assert.equal(result.code, 0, result.stderr);
	assert.equal(result.after, original);
	assert.equal(readFileSync(path, 'latin1'), original);
	assert.ok(readFileSync('/etc/hosts').equals(machineHosts), "the machine's own /etc/hosts never changed");
});
