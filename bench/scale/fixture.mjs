// The scale benchmark's namespace: a Deployment of 20 replicas, five of one replica each
// (the demo image's echo server, as the tunnel benchmark's), and on demand a thousand
// Services for outbound to follow. Created for the run, deleted after it.
import { kubectl } from '../../test/helpers/cluster.mjs';
import { oneContainerWorkload } from '../../test/helpers/workload-manifest.mjs';

export const NAMESPACE = 'kb-scale';
export const ECHO_PORT = 9000;
export const WIDE = 'wide';
export const WIDE_REPLICAS = 20;
export const SMALL = ['t1', 't2', 't3', 't4', 't5'];
const LABELS = { 'app.kubernetes.io/part-of': 'kubebridge-bench' };

const echoDeployment = (name, replicas) => oneContainerWorkload(NAMESPACE, name, {
	name: 'echo', image: 'kubebridge.local/demo:dev', imagePullPolicy: 'Never',
	args: ['--name=echo', '--http=8080', `--echo=${ECHO_PORT}`],
	ports: [{ name: 'echo', containerPort: ECHO_PORT }],
	readinessProbe: { tcpSocket: { port: ECHO_PORT }, periodSeconds: 1 },
}, { labels: LABELS, replicas });

const service = (name, app = name) => ({
	apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NAMESPACE, labels: LABELS },
	spec: { selector: { app }, ports: [{ name: 'echo', port: ECHO_PORT, targetPort: ECHO_PORT }] },
});

const apply = (items) => kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });

export function deploy() {
	apply([
		{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: LABELS } },
		echoDeployment(WIDE, WIDE_REPLICAS), service(WIDE),
		...SMALL.flatMap((name) => [echoDeployment(name, 1), service(name)]),
	]);
	for (const name of [WIDE, ...SMALL]) kubectl(['rollout', 'status', `deployment/${name}`, '-n', NAMESPACE, '--timeout=300s']);
}

/**
 * `count` more Services named `many-0000` and on, selecting no pod, then until the
 * cluster's EndpointSlice controller has made a slice for each: at its default 20 API
 * calls a second that takes it about a minute, and a session measured meanwhile would
 * wait behind that queue for its own slices (37-41 s in a first run), which a cluster
 * whose services were made long ago does not have.
 */
export async function addServices(count) {
	apply(Array.from({ length: count }, (_, i) => service(`many-${String(i).padStart(4, '0')}`, 'many-none')));
	const sliced = () => kubectl(['get', 'endpointslices', '-n', NAMESPACE, '-o', 'name']).stdout.split('\n').filter(Boolean).length;
	const all = count + 1 + SMALL.length;
	for (const deadline = Date.now() + 600_000; sliced() < all;) {
		if (Date.now() > deadline) throw new Error(`the EndpointSlices of ${count} services were not made within 10 minutes`);
		await new Promise((resolve) => setTimeout(resolve, 2000));
	}
}

export function deleteNamespace() {
	kubectl(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true', '--timeout=300s'], { allowFailure: true });
}
