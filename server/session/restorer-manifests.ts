import { AGENT_ENV, LABELS, LEASE_DURATION_S, leaseName, restorerName } from '../../agent/src/contract/contract.js';
import type { TargetRef } from '../../agent/src/contract/takeover-record.js';
import { RESTORE_ROUTES_ENV } from '../../agent/src/contract/routing-record.js';
import type { KubeObject } from '../cluster/object-store.js';
import type { AgentRuntime } from './agent-runtime.js';
import { ownPod } from './own-pod.js';

/** Lease times are MicroTime: RFC 3339 with six fraction digits. */
export const microTime = (date: Date): string => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

const labels = (session: string, role: string) => ({ [LABELS.session]: session, [LABELS.role]: role });

/** The lease the sidecar renews while it lives; the restorer acts when it lapses. */
export function leaseManifest(session: string, namespace: string, holder: string, now: Date): KubeObject {
	return {
		apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
		metadata: { name: leaseName(session), namespace, labels: labels(session, 'lease') },
		spec: { holderIdentity: holder, leaseDurationSeconds: LEASE_DURATION_S, acquireTime: microTime(now), renewTime: microTime(now) },
	};
}

const byKind = (targets: TargetRef[], kind: TargetRef['kind']) => targets.filter((t) => t.kind === kind).map((t) => t.name);

/**
 * The restorer's permissions, as narrow as restoring allows: its own lease, and only the
 * workloads of this session. Pods: only where a template change does not replace them.
 */
export function restorerRules(session: string, targets: TargetRef[], routedServices: string[] = []): object[] {
	const rules: object[] = [
		{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [leaseName(session)], verbs: ['get', 'delete'] },
	];
	// Only to take this session's routes away, and write the selector back after the last.
	if (routedServices.length > 0) rules.push({ apiGroups: [''], resources: ['services'], resourceNames: routedServices, verbs: ['get', 'update'] });
	for (const [kind, resource] of [['Deployment', 'deployments'], ['StatefulSet', 'statefulsets'], ['ReplicaSet', 'replicasets']] as const) {
		const names = byKind(targets, kind);
		if (names.length > 0) rules.push({ apiGroups: ['apps'], resources: [resource], resourceNames: names, verbs: ['get', 'update'] });
	}
	if (targets.some((t) => t.kind === 'StatefulSet' || t.kind === 'ReplicaSet')) rules.push({ apiGroups: [''], resources: ['pods'], verbs: ['deletecollection'] });
	const pods = byKind(targets, 'Pod');
	if (pods.length > 0) {
		rules.push({ apiGroups: [''], resources: ['pods'], resourceNames: pods, verbs: ['get', 'delete'] });
		rules.push({ apiGroups: [''], resources: ['pods'], verbs: ['create'] });
	}
	return rules;
}

/** An owner reference to the session's lease: the garbage collector removes what it owns once the lease is gone. */
export const leaseOwner = (lease: KubeObject) =>
	({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: lease.metadata.name, uid: lease.metadata.uid!, blockOwnerDeletion: false });

/**
 * The restorer's service account, role, binding and pod. Each is owned by the lease, so
 * deleting the lease (the restorer does it when done, the sidecar on disconnect) lets
 * the garbage collector remove them all. It runs as the agents do (`runtime`).
 */
export function restorerManifests(session: string, namespace: string, runtime: AgentRuntime, targets: TargetRef[], lease: KubeObject,
	tokenHash: string, routedServices: string[] = []): KubeObject[] {
	const name = restorerName(session);
	const ownerReferences = [leaseOwner(lease)];
	const metadata = { name, namespace, labels: labels(session, 'restorer'), ownerReferences };
	const own = ownPod(runtime, 'restorer', 'restore');
	return [
		{ apiVersion: 'v1', kind: 'ServiceAccount', metadata },
		{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules: restorerRules(session, targets, routedServices) },
		{
			apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata,
			roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
			subjects: [{ kind: 'ServiceAccount', name, namespace }],
		},
		{
			apiVersion: 'v1', kind: 'Pod', metadata,
			spec: {
				serviceAccountName: name,
				restartPolicy: 'OnFailure',
				terminationGracePeriodSeconds: 1,
				...own.spec,
				containers: [{
					...own.container,
					env: [
						{ name: AGENT_ENV.session, value: session },
						{ name: 'KUBEBRIDGE_RESTORE_TARGETS', value: JSON.stringify(targets) },
						...(routedServices.length > 0 ? [{ name: RESTORE_ROUTES_ENV, value: JSON.stringify(routedServices) }] : []),
						// The restorer then serves the agents' /v1/dial: disconnect probes the services from it once the agents are gone.
						{ name: AGENT_ENV.tokenHash, value: tokenHash },
					],
					resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
				}],
			},
		},
	];
}
