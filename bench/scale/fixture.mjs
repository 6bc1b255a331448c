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

const apply = (items) => kubectl(['apply', '--server-side', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });

export function deploy() {
	apply([
		{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: LABELS } },
		echoDeployment(WIDE, WIDE_REPLICAS), service(WIDE),
		...SMALL.flatMap((name) => [echoDeployment(name, 1), service(name)]),
	]);
	for (const name of [WIDE, ...SMALL]) kubectl(['rollout', 'status', `deployment/${name}`, '-n', NAMESPACE, '--timeout=300s']);
}

/** `count` more Services, each in front of t1's pod, named `many-0000` and on. */
export function addServices(count) {
	apply(Array.from({ length: count }, (_, i) => service(`many-${String(i).padStart(4, '0')}`, SMALL[0])));
}

export function deleteNamespace() {
	kubectl(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true', '--timeout=300s'], { allowFailure: true });
}
