import type { V1Container, V1Pod, V1Service } from '@kubernetes/client-node';
import type {
	ContainerInfo, NotConnectableReason, PodInfo, ServiceInfo, ServicePort, WorkloadKind, WorkloadRef,
} from '../../protocol/index.js';
import type { NamespaceSnapshot } from './cluster-access.js';

type Protocol = 'TCP' | 'UDP' | 'SCTP';
const asProtocol = (p: string | undefined): Protocol => (p === 'UDP' || p === 'SCTP' ? p : 'TCP');
const KNOWN_KINDS = new Set<WorkloadKind>(['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController']);
/** Kinds whose pods kubebridge can replace and later restore by editing the template. */
const REDIRECTABLE = new Set<WorkloadKind>(['Deployment', 'StatefulSet', 'ReplicaSet', 'Pod']);

function matches(selector: Record<string, string>, pod: V1Pod): boolean {
	const labels = pod.metadata?.labels ?? {};
	return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function describePod(pod: V1Pod): PodInfo {
	const statuses = pod.status?.containerStatuses ?? [];
	return {
		name: pod.metadata?.name ?? '',
		ready: statuses.length > 0 && statuses.every((s) => s.ready),
		phase: pod.status?.phase ?? 'Unknown',
		node: pod.spec?.nodeName ?? null,
		ip: pod.status?.podIP ?? null,
	};
}

/** The workload that owns a pod, looking through a ReplicaSet to its Deployment. */
function ownerOf(pod: V1Pod, snapshot: NamespaceSnapshot): WorkloadRef {
	const owner = pod.metadata?.ownerReferences?.find((ref) => ref.controller) ?? pod.metadata?.ownerReferences?.[0];
	if (!owner) return { kind: 'Pod', name: pod.metadata?.name ?? '', replicas: null };
	const kind = (KNOWN_KINDS.has(owner.kind as WorkloadKind) ? owner.kind : 'Other') as WorkloadKind;
	if (kind === 'ReplicaSet') {
		const rs = snapshot.replicaSets.find((r) => r.metadata?.name === owner.name);
		const deploymentRef = rs?.metadata?.ownerReferences?.find((ref) => ref.controller && ref.kind === 'Deployment');
		if (deploymentRef) {
			const deployment = snapshot.deployments.find((d) => d.metadata?.name === deploymentRef.name);
			return { kind: 'Deployment', name: deploymentRef.name, replicas: deployment?.spec?.replicas ?? null };
		}
		return { kind, name: owner.name, replicas: rs?.spec?.replicas ?? null };
	}
	if (kind === 'StatefulSet') {
		const sts = snapshot.statefulSets.find((s) => s.metadata?.name === owner.name);
		return { kind, name: owner.name, replicas: sts?.spec?.replicas ?? null };
	}
	return { kind, name: owner.name, replicas: null };
}

function describeContainer(container: V1Container): ContainerInfo {
	return {
		name: container.name,
		image: container.image ?? '',
		ports: (container.ports ?? []).map((p) => ({ name: p.name ?? null, containerPort: p.containerPort, protocol: asProtocol(p.protocol) })),
	};
}

/** The container a service port lands on: by port name, by port number, or the only one. */
function servingContainer(targetPort: number | string, protocol: Protocol, containers: V1Container[]): string | null {
	const declares = (c: V1Container): boolean => (c.ports ?? []).some((p) =>
		asProtocol(p.protocol) === protocol && (typeof targetPort === 'string' ? p.name === targetPort : p.containerPort === targetPort));
	const found = containers.find(declares);
	if (found) return found.name;
	// A numeric port need not be declared: with one container it can only be that one.
	return typeof targetPort === 'number' && containers.length === 1 ? containers[0]!.name : null;
}

function describePorts(service: V1Service, containers: V1Container[]): ServicePort[] {
	return (service.spec?.ports ?? []).map((p) => {
		const targetPort = p.targetPort ?? p.port;
		const protocol = asProtocol(p.protocol);
		return {
			name: p.name ?? null,
			port: p.port,
			targetPort,
			protocol,
			container: containers.length > 0 ? servingContainer(targetPort, protocol, containers) : null,
		};
	});
}

function uniqueWorkloads(refs: WorkloadRef[]): WorkloadRef[] {
	const seen = new Map<string, WorkloadRef>();
	for (const ref of refs) seen.set(`${ref.kind}/${ref.name}`, ref);
	return [...seen.values()];
}

interface Verdict { reason: NotConnectableReason | null; detail: string }

function judge(info: Omit<ServiceInfo, 'connectable' | 'notConnectableReason' | 'detail'>, pods: V1Pod[]): Verdict {
	const no = (reason: NotConnectableReason, detail: string): Verdict => ({ reason, detail });
	if (info.type === 'ExternalName') return no('externalName', `An ExternalName service (an alias of ${info.externalName}) has no pods to redirect.`);
	if (!info.selector) return no('noSelector', 'The service has no selector, so kubebridge cannot tell which pods serve it.');
	const carried = info.ports.filter((p) => p.protocol === 'TCP' || p.protocol === 'UDP');
	if (carried.length === 0) return no('noTcpOrUdpPorts', 'The service has no TCP or UDP port; kubebridge redirects TCP and UDP, not SCTP.');
	if (pods.length === 0) return no('noPods', 'No pod matches the selector; start the workload first.');
	const unsupported = info.workloads.find((w) => !REDIRECTABLE.has(w.kind));
	if (unsupported) return no('unsupportedWorkload', `Its pods belong to ${unsupported.kind} ${unsupported.name}, which kubebridge cannot replace and restore.`);
	if (pods.some((p) => p.spec?.hostNetwork)) return no('hostNetwork', "Its pods use the node's network; replacing them would take over ports of the node.");
	const orphan = carried.find((p) => p.container === null);
	if (orphan) return no('noServingContainer', `No container declares target port ${orphan.targetPort} of port ${orphan.port}; name it in the pod's container ports.`);
	const targets = [...new Set(carried.map((p) => p.container))].join("', '");
	const owners = info.workloads.map((w) => `${w.kind} ${w.name}`).join(', ');
	const others = info.containers.length - new Set(carried.map((p) => p.container)).size;
	return {
		reason: null,
		detail: `Connecting replaces container '${targets}' in ${pods.length} pod(s) of ${owners}` +
			(others > 0 ? `; the other ${others} container(s) keep running.` : '.'),
	};
}

/** What kubebridge knows about each service of a namespace, and whether it can connect it. */
export function describeServices(snapshot: NamespaceSnapshot): ServiceInfo[] {
	const livePods = snapshot.pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
	return snapshot.services
		.map((service): ServiceInfo => {
			const selector = service.spec?.selector && Object.keys(service.spec.selector).length > 0 ? service.spec.selector : null;
			const type = (service.spec?.type ?? 'ClusterIP') as ServiceInfo['type'];
			const pods = selector && type !== 'ExternalName' ? livePods.filter((p) => matches(selector, p)) : [];
			const containers = pods[0]?.spec?.containers ?? [];
			const clusterIP = type === 'ExternalName' ? null : service.spec?.clusterIP ?? null;
			const info = {
				name: service.metadata?.name ?? '',
				namespace: service.metadata?.namespace ?? '',
				type,
				clusterIP,
				headless: clusterIP === 'None',
				externalName: service.spec?.externalName ?? null,
				ports: describePorts(service, containers),
				selector,
				pods: pods.map(describePod),
				workloads: uniqueWorkloads(pods.map((p) => ownerOf(p, snapshot))),
				containers: containers.map(describeContainer),
			};
			const verdict = judge(info, pods);
			return { ...info, connectable: verdict.reason === null, notConnectableReason: verdict.reason, detail: verdict.detail };
		})
		.sort((a, b) => a.name.localeCompare(b.name));
}
