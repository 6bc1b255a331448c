// The benchmark's own namespace: an echo server Deployment (1 replica, the demo image) and
// its Service, created for the run and deleted after it.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KUBECONFIG, kubectl } from '../../test/helpers/cluster.mjs';

export const NAMESPACE = 'kb-bench';
export const ECHO_PORT = 9000;
const LABELS = { app: 'echo', 'app.kubernetes.io/part-of': 'kubebridge-bench' };

const manifests = [
	{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'kubebridge-bench' } } },
	{
		apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'echo', namespace: NAMESPACE, labels: LABELS },
		spec: {
			replicas: 1,
			selector: { matchLabels: { app: 'echo' } },
			template: {
				metadata: { labels: LABELS },
				spec: {
					containers: [{
						name: 'echo', image: 'kubebridge.local/demo:dev', imagePullPolicy: 'Never',
						args: ['--name=echo', '--http=8080', `--echo=${ECHO_PORT}`],
						ports: [{ name: 'echo', containerPort: ECHO_PORT }],
						readinessProbe: { tcpSocket: { port: ECHO_PORT }, periodSeconds: 1 },
					}],
				},
			},
		},
	},
	{
		apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: NAMESPACE, labels: LABELS },
		spec: { selector: { app: 'echo' }, ports: [{ name: 'echo', port: ECHO_PORT, targetPort: ECHO_PORT }] },
	},
];

export function deploy() {
	kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }) });
	kubectl(['rollout', 'status', 'deployment/echo', '-n', NAMESPACE, '--timeout=120s']);
}

export function deleteNamespace() {
	kubectl(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true', '--timeout=120s'], { allowFailure: true });
}

const config = new KubeConfig();
config.loadFromFile(KUBECONFIG);
const core = config.makeApiClient(CoreV1Api);

const isReady = (pod) => pod.status?.phase === 'Running' && !pod.metadata.deletionTimestamp && Boolean(pod.status.podIP)
	&& (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** The ready pods of the echo Deployment (the originals, or the agents while connected). */
export async function readyEchoPods() {
	const list = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'app=echo' });
	return list.items.filter(isReady).map((pod) => ({ name: pod.metadata.name, ip: pod.status.podIP }));
}

/** The one ready echo pod, once there is exactly one and nothing else is left over. */
export async function onlyEchoPod(timeoutMs = 120_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const list = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'app=echo' });
		const ready = list.items.filter(isReady);
		if (ready.length === 1 && list.items.length === 1) return { name: ready[0].metadata.name, ip: ready[0].status.podIP };
		if (Date.now() > deadline) throw new Error(`no single ready echo pod after ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}
