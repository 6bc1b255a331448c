import type { V1Pod, V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { NamespaceSnapshot } from '../cluster/cluster-access.js';
import type { NamedTarget } from '../hosts/host-names.js';

/** A port of a service as the local process dials it, and the port the agent dials in the cluster. */
export interface TargetPort {
	port: number;
	name: string | null;
	protocol: 'TCP' | 'UDP';
	dialPort: number;
}

/** A service, or one pod of a headless service, that gets a local address of its own. */
export interface OutboundTarget extends NamedTarget {
	/** The host the agent dials: the cluster IP, a DNS name the pod's search path completes, or an external name. */
	dials: string;
	ports: TargetPort[];
}

const protocolOf = (port: { protocol?: string }): string => port.protocol ?? 'TCP';
/** What the tunnel carries: TCP connections and UDP datagrams (SCTP it does not). */
const isCarried = (port: V1ServicePort): boolean => protocolOf(port) === 'TCP' || protocolOf(port) === 'UDP';

/** A service without a cluster IP (ExternalName aside): what it reaches depends on its pods. */
export const isHeadless = (service: V1Service): boolean => service.spec?.type !== 'ExternalName'
	&& (!service.spec?.clusterIP || service.spec.clusterIP === 'None');

const selects = (selector: Record<string, string> | undefined, pod: V1Pod): boolean =>
	!!selector && Object.keys(selector).length > 0
	&& Object.entries(selector).every(([key, value]) => pod.metadata?.labels?.[key] === value);

/** A named targetPort is a container port name; the pods behind the service say which number it is. */
function containerPort(port: V1ServicePort, pods: V1Pod[]): number {
	const target = port.targetPort;
	if (typeof target === 'number') return target;
	if (typeof target === 'string' && /^\d+$/.test(target)) return Number(target);
	for (const pod of pods) {
		for (const container of pod.spec?.containers ?? []) {
			const found = container.ports?.find((p) => p.name === target && protocolOf(p) === protocolOf(port));
			if (found) return found.containerPort;
		}
	}
	return port.port;
}

/**
 * What the local process can reach in one namespace. A ClusterIP service is dialled at its
 * IP, so kube-proxy balances as it does for pods. A headless service has no IP: the agent
 * dials its DNS name on the pods' port, and each of its pods with a host name (a
 * StatefulSet's `db-0`) gets an address of its own. An ExternalName service is dialled at
 * its external name from inside the cluster. TCP and UDP ports are reached; SCTP ports are left out.
 */
export function outboundTargets(snapshot: Pick<NamespaceSnapshot, 'services' | 'pods'>): OutboundTarget[] {
	const targets: OutboundTarget[] = [];
	for (const service of snapshot.services) {
		const namespace = service.metadata?.namespace ?? '';
		const name = service.metadata?.name ?? '';
		const ports = (service.spec?.ports ?? []).filter(isCarried);
		if (!namespace || !name || ports.length === 0) continue;
		if (service.spec?.type === 'ExternalName') {
			if (service.spec.externalName) targets.push(target(namespace, name, service.spec.externalName, ports, (p) => p.port));
			continue;
		}
		if (!isHeadless(service)) {
			targets.push(target(namespace, name, service.spec!.clusterIP!, ports, (p) => p.port));
			continue;
		}
		targets.push(...headless(service, namespace, name, ports, snapshot.pods));
	}
	return targets;
}

function headless(service: V1Service, namespace: string, name: string, ports: V1ServicePort[], allPods: V1Pod[]): OutboundTarget[] {
	const pods = allPods.filter((pod) => selects(service.spec?.selector, pod) && !pod.metadata?.deletionTimestamp);
	const toPod = (p: V1ServicePort) => containerPort(p, pods);
	const named = pods.filter((pod) => pod.spec?.subdomain === name && pod.spec.hostname)
		.map((pod) => ({ ...target(namespace, name, `${pod.spec!.hostname}.${name}.${namespace}.svc`, ports, toPod), pod: pod.spec!.hostname! }));
	return [target(namespace, name, `${name}.${namespace}.svc`, ports, toPod), ...named];
}

function target(namespace: string, service: string, dials: string, ports: V1ServicePort[], dialPort: (p: V1ServicePort) => number): OutboundTarget {
	return {
		namespace, service, dials,
		ports: ports.map((p) => ({ port: p.port, name: p.name ?? null, protocol: protocolOf(p) === 'UDP' ? 'UDP' as const : 'TCP' as const, dialPort: dialPort(p) })),
	};
}
