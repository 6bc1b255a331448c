// Fixtures for the connect tests that bring their own namespace: workloads that pass the
// `restricted` Pod Security Standard, a client pod to call services from inside the
// cluster, a local HTTP server standing for the developer's process, a sidecar session
// driven as an editor drives it, and specs compared the way "restored exactly" means.
import { createServer, get } from 'node:http';
import { randomBytes } from 'node:crypto';
import { issueKubeconfig, kubectl, kubectlAsync, kubectlJsonAsync } from './cluster.mjs';

export { kubectlAsync, kubectlJsonAsync };
import { DEVELOPER_RULES } from './developer-role.mjs';
import { startSidecar } from './executable.mjs';
import { sleep, waitFor } from './wait-until.mjs';
import { oneContainerWorkload } from './workload-manifest.mjs';

/** The image the agents run when none is named: the stock Node image, its script delivered by the sidecar. */
export const AGENT_IMAGE = 'node:24-slim';
export const DEMO_IMAGE = 'kubebridge.local/demo:dev';
/**
 * An image no node can pull, and that says so at once without traffic beyond this machine:
 * its registry is a closed port on the node's loopback.
 */
export const UNPULLABLE_IMAGE = '127.0.0.1:1/kubebridge-test/unpullable:none';
export const SESSION_LABEL = 'kubebridge.io/session';

/** A container securityContext the `restricted` profile admits. */
export const RESTRICTED_CONTAINER = {
	runAsNonRoot: true, runAsUser: 65532, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
	capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
};


export { sleep, waitFor };

/** A namespace name no earlier run (perhaps still terminating) holds. */
export const uniqueNamespace = (prefix) => `${prefix}-${randomBytes(3).toString('hex')}`;

export function createNamespace(name, labels = {}) {
	kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubebridge.io/test': 'connect-workloads', ...labels } } }) });
}

export function deleteNamespace(name) {
	kubectl(['delete', 'namespace', name, '--ignore-not-found', '--wait=false'], { allowFailure: true });
}

export const apply = (objects) => kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) });

/**
 * A Deployment of the demo server answering HTTP on 8080 (named port `http`), and a
 * Service in front of it on port 80.
 */
export function appManifests(namespace, name, { replicas = 1, cpuRequest } = {}) {
	const labels = { app: name };
	return [
		oneContainerWorkload(namespace, name, {
			name: 'app', image: DEMO_IMAGE, imagePullPolicy: 'Never', args: [`--name=${name}`, '--http=8080'],
			ports: [{ name: 'http', containerPort: 8080 }],
			env: [{ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
			readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 },
			...(cpuRequest ? { resources: { requests: { cpu: cpuRequest } } } : {}),
			securityContext: RESTRICTED_CONTAINER,
		}, { replicas, pod: { terminationGracePeriodSeconds: 2 } }),
		{
			apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels },
			spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
		},
	];
}

/** A pod with node and nothing to serve: the caller inside the cluster. */
export function clientManifests(namespace) {
	return [oneContainerWorkload(namespace, 'client', {
		name: 'client', image: DEMO_IMAGE, imagePullPolicy: 'Never',
		command: ['/usr/local/bin/node', '-e', 'setInterval(() => {}, 1 << 30)'],
		securityContext: RESTRICTED_CONTAINER,
	}, { pod: { terminationGracePeriodSeconds: 0 } })];
}

export const rolloutDone = (namespace, deployment) => kubectlAsync(['rollout', 'status', `deployment/${deployment}`, '-n', namespace, '--timeout=90s']);

/** Runs JavaScript in the namespace's client pod; its stdout parsed as JSON. */
export async function inClient(namespace, script) {
	const run = await kubectlAsync(['exec', '-n', namespace, 'deploy/client', '-c', 'client', '--', '/usr/local/bin/node', '-e', script]);
	return JSON.parse(run.stdout);
}

/**
 * Script for `inClient`: GETs each URL on a fresh connection (no keep-alive, so every
 * call is a new connection the Service balances) and prints status and body of each.
 */
export const getEachScript = (urls) => `
const http = require('node:http');
const one = (url) => new Promise((resolve) => {
	const req = http.get(url, { agent: false, timeout: 10000 }, (res) => {
		let body = '';
		res.on('data', (d) => { body += d; });
		res.on('end', () => resolve({ status: res.statusCode, body }));
	});
	req.on('timeout', () => req.destroy(new Error('timeout')));
	req.on('error', (e) => resolve({ error: e.code ?? e.message }));
});
(async () => {
	const out = [];
	for (const url of ${JSON.stringify(urls)}) out.push(await one(url));
	console.log(JSON.stringify(out));
})();`;

/** Script for `inClient`: how a TCP connection to host:port ends ("connected" or an error code). */
export const tcpConnectScript = (host, port) => `
const socket = require('node:net').connect(${port}, ${JSON.stringify(host)});
socket.setTimeout(5000, () => { console.log(JSON.stringify('timeout')); socket.destroy(); });
socket.on('connect', () => { console.log(JSON.stringify('connected')); socket.destroy(); });
socket.on('error', (e) => console.log(JSON.stringify(e.code)));`;

/** One GET on a fresh connection from this machine; resolves with status and body, or the error. */
export function httpGet(url, { headers = {}, timeoutMs = 5000 } = {}) {
	return new Promise((resolve) => {
		const req = get(url, { agent: false, headers, timeout: timeoutMs }, (res) => {
			let body = '';
			res.on('data', (d) => { body += d; });
			res.on('end', () => resolve({ status: res.statusCode, body }));
			res.on('error', (e) => resolve({ error: e.code ?? e.message }));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', (e) => resolve({ error: e.code ?? e.message }));
	});
}

/**
 * The developer's process: an HTTP server on 127.0.0.1 that answers with a marker no
 * cluster pod knows, and keeps every request it saw.
 */
export async function startLocalServer() {
	const marker = `local-${randomBytes(6).toString('hex')}`;
	const seen = [];
	const server = createServer((req, res) => {
		seen.push({ path: req.url, host: req.headers.host });
		const body = JSON.stringify({ marker, path: req.url, seq: seen.length });
		res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: server.address().port, marker, seen,
		/** Whether a response came from this server (and so through the tunnel). */
		answered: (response) => response.status === 200 && JSON.parse(response.body).marker === marker,
		close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
	};
}

/**
 * A Deployment (or any object) as "restored exactly" compares it: without what the API
 * server and controllers manage (resourceVersion, generation, managedFields, the
 * Deployment revision annotation, status). `ignore` drops more top-level spec fields.
 */
export async function comparableObject(kind, namespace, name, { ignoreSpec = [] } = {}) {
	const object = await kubectlJsonAsync(['get', kind, name, '-n', namespace]);
	delete object.status;
	const { metadata } = object;
	for (const key of ['resourceVersion', 'generation', 'managedFields']) delete metadata[key];
	if (metadata.annotations) {
		delete metadata.annotations['deployment.kubernetes.io/revision'];
		if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
	}
	for (const key of ignoreSpec) delete object.spec[key];
	return object;
}

export const podsOf = async (namespace, selector) => (await kubectlJsonAsync(['get', 'pods', '-n', namespace, '-l', selector])).items;

export const isReadyPod = (pod) => !pod.metadata.deletionTimestamp
	&& (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Everything in the namespace that carries the session's label (agents, lease, restorer and its RBAC). */
export async function sessionObjects(namespace, session) {
	const run = await kubectlAsync(['get', 'pods,leases,serviceaccounts,roles,rolebindings', '-n', namespace, '-l', `${SESSION_LABEL}=${session}`, '-o', 'name']);
	return run.stdout.split('\n').filter(Boolean);
}

/**
 * A sidecar started as an editor starts it, running as a developer bound to the Role of
 * docs/rbac.md in `namespace`; connected to `targets` with `extra` connect params.
 */
export async function connectAsDeveloper(namespace, targets, extra = {}, { workspaceFolder } = {}) {
	const developer = issueKubeconfig({ user: `dev-${namespace}`, namespace, rules: DEVELOPER_RULES });
	const sidecar = startSidecar({ args: ['--kubeconfig', developer.kubeconfig] });
	const init = await sidecar.client.initialize({ cluster: { namespace }, ...(workspaceFolder ? { workspaceFolder } : {}) });
	if (!init.result) throw new Error(`initialize failed: ${JSON.stringify(init.error)}`);
	const started = Date.now();
	const response = await sidecar.client.request('session/connect', { targets, workDoneToken: 'connect', ...extra }, 150_000);
	if (!response.result) {
		// The failed connect put everything back; the sidecar has nothing left to do.
		sidecar.child.kill('SIGTERM');
		await sidecar.exited;
		throw new Error(`session/connect failed: ${JSON.stringify(response.error)}\n${sidecar.stderr()}`);
	}
	return { sidecar, developer, connected: response.result, connectMs: Date.now() - started };
}

/** The next `session/didChangeState` of `change` that matches `match`. */
export const nextChange = (sidecar, change, match = () => true, ms = 60_000) => sidecar.client.reader.next(
	(m) => m.method === 'session/didChangeState' && m.params.change === change && match(m.params), ms);

/** Disconnects and ends the sidecar the way an editor does; resolves with the disconnect result. */
export async function disconnectAndExit(sidecar) {
	const response = await sidecar.client.request('session/disconnect', { workDoneToken: 'disconnect' }, 150_000);
	if (!response.result) throw new Error(`session/disconnect failed: ${JSON.stringify(response.error)}\n${sidecar.stderr()}`);
	await sidecar.client.request('shutdown', undefined, 60_000);
	sidecar.client.notify('exit');
	const code = await sidecar.exited;
	if (code !== 0) throw new Error(`the sidecar exited with ${code}`);
	return response.result;
}
