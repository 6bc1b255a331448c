// The benchmark's own namespace: an echo server Deployment (1 replica, the demo image) and
// its Service, created for the run and deleted after it.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KUBECONFIG, kubectl } from '../../test/helpers/cluster.mjs';
import { oneContainerWorkload } from '../../test/helpers/workload-manifest.mjs';

export const NAMESPACE = 'kb-bench';
export const ECHO_PORT = 9000;
export const PLAIN = 'echo-plain';
const LABELS = { 'app.kubernetes.io/part-of': 'kubebridge-bench' };

/** The demo image's echo server, the same for the pod kubebridge takes over and its twin. */
const echoDeployment = (name) => oneContainerWorkload(NAMESPACE, name, {
	name: 'echo', image: 'kubebridge.local/demo:dev', imagePullPolicy: 'Never',
	args: ['--name=echo', '--http=8080', `--echo=${ECHO_PORT}`],
	ports: [{ name: 'echo', containerPort: ECHO_PORT }],
	readinessProbe: { tcpSocket: { port: ECHO_PORT }, periodSeconds: 1 },
}, { labels: LABELS });

/**
 * `echo` is what kubebridge connects; `echo-plain`, its twin on the same node, is what the
 * plain port-forwards reach, so every path can be measured in turn while the session is
 * connected and a neighbour's load falls on all of them alike.
 */
const manifests = [
	{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'kubebridge-bench' } } },
	echoDeployment('echo'),
	echoDeployment(PLAIN),
	{
		apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: NAMESPACE, labels: LABELS },
		spec: { selector: { app: 'echo' }, ports: [{ name: 'echo', port: ECHO_PORT, targetPort: ECHO_PORT }] },
	},
	// What the outbound path reaches by name: the plain twin, so it is measured against the same pod.
	{
		apiVersion: 'v1', kind: 'Service', metadata: { name: PLAIN, namespace: NAMESPACE, labels: LABELS },
		spec: { selector: { app: PLAIN }, ports: [{ name: 'echo', port: ECHO_PORT, targetPort: ECHO_PORT }] },
	},
];

export function deploy() {
	kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }) });
	for (const name of ['echo', PLAIN]) kubectl(['rollout', 'status', `deployment/${name}`, '-n', NAMESPACE, '--timeout=120s']);
}

export function deleteNamespace() {
	kubectl(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true', '--timeout=120s'], { allowFailure: true });
}

const config = new KubeConfig();
config.loadFromFile(KUBECONFIG);
const core = config.makeApiClient(CoreV1Api);

const isReady = (pod) => pod.status?.phase === 'Running' && !pod.metadata.deletionTimestamp && Boolean(pod.status.podIP)
	&& (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** The ready pods of a Deployment (for `echo`: the originals, or the agents while connected). */
export async function readyEchoPods(app = 'echo') {
	const list = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: `app=${app}` });
	return list.items.filter(isReady).map((pod) => ({ name: pod.metadata.name, ip: pod.status.podIP }));
}

/** The one ready pod of a Deployment, once there is exactly one and nothing else is left over. */
export async function onlyEchoPod(app = 'echo', timeoutMs = 120_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const list = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: `app=${app}` });
		const ready = list.items.filter(isReady);
		if (ready.length === 1 && list.items.length === 1) return { name: ready[0].metadata.name, ip: ready[0].status.podIP };
		if (Date.now() > deadline) throw new Error(`no single ready ${app} pod after ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}
