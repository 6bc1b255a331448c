import type { V1ConfigMap, V1Pod, V1Secret, V1Service } from '@kubernetes/client-node';
import { ANNOTATIONS } from '../../agent/src/contract/contract.js';
import type { ConnectTarget } from '../../protocol/index.js';
import type { ClusterAccess } from '../cluster/cluster-access.js';
import type { KubeObject } from '../cluster/object-store.js';
import { describeServices } from '../cluster/service-discovery.js';
import { KubebridgeError } from '../errors.js';
import { targetNotFound } from '../targets/target-errors.js';
import { planTarget } from '../targets/target-plan.js';
import { apiVersionOf, isReady, readWorkloadPods } from '../targets/workload-pods.js';
import type { EnvironmentSources } from './env-resolver.js';
import { noRunningPod } from './environment-errors.js';

export interface TargetEnvironmentSources {
	sources: EnvironmentSources;
	namespace: string;
	/** The workload whose container it is, so a session holding it can add its part. */
	workload: { kind: string; name: string };
	/** What could not be read, and what that means for the values. */
	notes: string[];
}

/** The pod template as the workload had it before any kubebridge session took it over. */
function originalTemplate(workload: KubeObject): { spec: { containers: unknown[]; initContainers?: unknown[] } } {
	const saved = workload.metadata.annotations?.[ANNOTATIONS.originalTemplate];
	if (saved) return JSON.parse(saved);
	return workload.kind === 'Pod' ? { spec: workload.spec } : workload.spec.template;
}

/**
 * Everything the kubelet reads to build a target's container environment: its original
 * container (not the agent's, when a session holds it), a live pod for the pod's own
 * fields, and the namespace's ConfigMaps, Secrets and Services.
 */
export async function readEnvironmentSources(cluster: ClusterAccess, target: ConnectTarget): Promise<TargetEnvironmentSources> {
	const namespace = target.namespace ?? cluster.namespace;
	const snapshot = await cluster.readNamespaceSnapshot(namespace);
	// A service whose pods are all gone names no workload to read; connect's verdict on it would not fit a read.
	if (target.service && describeServices(snapshot).find((s) => s.name === target.service)?.notConnectableReason === 'noPods') {
		throw noRunningPod(`service/${target.service}`, namespace, null);
	}
	const plan = planTarget(target, namespace, snapshot);
	const ref = { kind: plan.workload.kind, name: plan.workload.name, namespace };
	const workload = await cluster.objects.read({ apiVersion: apiVersionOf(ref.kind), kind: ref.kind, namespace, name: ref.name });
	if (!workload) throw targetNotFound(`${ref.kind} '${ref.name}'`, namespace, `List what there is with: kubectl get ${ref.kind.toLowerCase()}s -n ${namespace}`);
	const pods = await readWorkloadPods(cluster.objects, ref, '');
	const pod = [...(pods?.others ?? []), ...(pods?.agents ?? [])].find(isReady) ?? pods?.others[0];
	if (!pod) throw noRunningPod(plan.label, namespace, ref.kind === 'Pod' ? null : `${ref.kind.toLowerCase()}/${ref.name}`);
	const template = originalTemplate(workload);
	const notes: string[] = [];
	const list = <T>(kind: string) => cluster.objects.list('v1', kind, namespace) as unknown as Promise<T[]>;
	const [configMaps, secrets, services] = await Promise.all([list<V1ConfigMap>('ConfigMap'), list<V1Secret>('Secret'), list<V1Service>('Service')]);
	try {
		const master = await cluster.objects.read({ apiVersion: 'v1', kind: 'Service', namespace: 'default', name: 'kubernetes' });
		if (master) services.push(master as unknown as V1Service);
	} catch (error) {
		if (!(error instanceof KubebridgeError && error.reason === 'forbidden')) throw error;
		notes.push("The 'kubernetes' service of namespace default could not be read (forbidden): KUBERNETES_SERVICE_* and KUBERNETES_PORT* are missing.");
	}
	notes.push("A resourceFieldRef to a limit the container leaves unset stands for the node's allocatable, which a developer cannot read; it reads as 0 here.");
	const synthetic = { ...pod, spec: { ...pod.spec, containers: template.spec.containers, initContainers: template.spec.initContainers } } as unknown as V1Pod;
	return { namespace, notes, workload: plan.workload, sources: { pod: synthetic, containerName: plan.container, configMaps, secrets, services } };
}
