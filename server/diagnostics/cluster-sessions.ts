import { LABELS } from '../../agent/src/contract/contract.js';
import type { ClusterSessionInfo } from '../../protocol/index.js';
import type { ObjectStore } from '../cluster/object-store.js';

const isReady = (pod: { status?: { conditions?: { type: string; status: string }[] } }) =>
	(pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** The kubebridge sessions a namespace holds, live or left behind: each lease and the pods of its session. */
export async function clusterSessions(objects: ObjectStore, namespace: string): Promise<ClusterSessionInfo[]> {
	const [leases, pods] = await Promise.all([
		objects.list('coordination.k8s.io/v1', 'Lease', namespace, `${LABELS.role}=lease`),
		objects.list('v1', 'Pod', namespace, LABELS.session),
	]);
	return leases.map((lease) => {
		const sessionId = lease.metadata.labels?.[LABELS.session] ?? '';
		return {
			namespace, sessionId,
			holder: lease.spec?.holderIdentity ?? '',
			renewed: lease.spec?.renewTime ?? null,
			pods: pods.filter((pod) => pod.metadata.labels?.[LABELS.session] === sessionId).map((pod) => ({
				name: pod.metadata.name,
				role: pod.metadata.labels?.[LABELS.role] === 'restorer' ? 'restorer' as const : 'agent' as const,
				phase: pod.status?.phase ?? 'Unknown',
				ready: isReady(pod),
			})),
		};
	});
}
