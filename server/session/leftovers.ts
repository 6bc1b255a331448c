import { hostname } from 'node:os';
import { LABELS, leaseName } from '../../agent/src/contract/contract.js';
import { leaseLapsed, takenOverBy, type TakeoverKind, type TargetRef } from '../../agent/src/contract/takeover-record.js';
import type { RestoreResult } from '../../protocol/index.js';
import type { KubeObject, ObjectStore } from '../cluster/object-store.js';
import type { Logger } from '../log/logger.js';
import { removeDeadRoutes } from './routing/route-leftovers.js';
import { restore } from './takeover.js';
import { apiVersionOf } from '../targets/workload-pods.js';

const KINDS: TakeoverKind[] = ['Deployment', 'StatefulSet', 'ReplicaSet', 'Pod'];

/** Whether a lease's holder is gone: it stopped renewing, or it was a process of this machine that no longer runs. */
function holderGone(lease: KubeObject | null, now = Date.now()): boolean {
	if (!lease || leaseLapsed(lease, now)) return true;
	const holder = /^(.+)@(.+) pid (\d+)$/.exec(lease.spec?.holderIdentity ?? '');
	if (!holder || holder[2] !== hostname()) return false;
	try {
		process.kill(Number(holder[3]), 0);
		return false;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'ESRCH';
	}
}

/**
 * Finds what sessions whose process is gone left in a namespace, puts the workloads back
 * and removes their leases (the restorers go with them). A live session's are left alone.
 */
export async function restoreLeftovers(objects: ObjectStore, namespace: string, logger: Logger): Promise<Omit<RestoreResult, 'cleaned'>> {
	const result = { restored: [] as string[], removed: [] as string[] };
	const leaseOf = (session: string) => objects.read({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace, name: leaseName(session) });
	const sessions = new Set<string>();
	for (const kind of KINDS) {
		// Objects a controller manages (a Deployment's ReplicaSets and pods) carry copies of its marks.
		const taken = (await objects.list(apiVersionOf(kind), kind, namespace))
			.filter((o) => takenOverBy(o) && !(o.metadata.ownerReferences ?? []).some((r) => r.controller));
		for (const object of taken) {
			const session = takenOverBy(object)!;
			if (!holderGone(await leaseOf(session))) {
				logger.info('session', `${kind} ${object.metadata.name} belongs to live session ${session}; left alone`);
				continue;
			}
			const ref: TargetRef = { kind, name: object.metadata.name, namespace };
			if (await restore(objects, ref, session)) result.restored.push(`${kind}/${namespace}/${ref.name}`);
			sessions.add(session);
		}
	}
	const routes = await removeDeadRoutes(objects, namespace, async (session) => holderGone(await leaseOf(session)), logger);
	result.restored.push(...routes.restored);
	for (const session of routes.sessions) sessions.add(session);
	for (const lease of await objects.list('coordination.k8s.io/v1', 'Lease', namespace, `${LABELS.role}=lease`)) {
		const session = lease.metadata.labels?.[LABELS.session] ?? '';
		if (!sessions.has(session) && !holderGone(lease)) continue;
		await objects.delete({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace, name: lease.metadata.name }, { propagationPolicy: 'Background' });
		result.removed.push(`Lease/${namespace}/${lease.metadata.name}`);
	}
	return result;
}

