import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { ConnectTarget, PortMapping, ServiceInfo, TargetWorkloadKind } from '../../protocol/index.js';
import type { NamespaceSnapshot } from '../cluster/cluster-access.js';
import { describeServices } from '../cluster/service-discovery.js';
import { readinessPlan, type ReadinessPlan } from './readiness-mirror.js';
import { targetNotConnectable, targetNotFound } from './target-errors.js';

/** Containers that meshes inject beside the app; a service's traffic is not theirs. */
const MESH_SIDECARS = new Set(['istio-proxy', 'linkerd-proxy', 'envoy', 'envoy-sidecar', 'consul-dataplane', 'kuma-sidecar', 'daprd']);

/** Everything connect needs to know about one target, decided before anything changes. */
export interface TargetPlan {
	/** `service/api` or `deployment/api`, as the user named it. */
	label: string;
	/** The service named, when the target is one: connect waits until it routes to the agents. */
	service: string | null;
	namespace: string;
	workload: { kind: TargetWorkloadKind; name: string };
	container: string;
	/** Agent port → local port, for every TCP port the agent takes. */
	ports: Map<number, number>;
	/** Agent port → the service port in front of it. */
	servicePorts: Map<number, number>;
	/** Agent UDP port → local UDP port, for every UDP port the agent takes. */
	udpPorts: Map<number, number>;
	/** Agent UDP port → the service's UDP port in front of it. */
	udpServicePorts: Map<number, number>;
	/** What `features.probes` would mirror of the container's readiness probe, or why it cannot. */
	readiness: ReadinessPlan;
}

function containerPorts(container: V1Container, protocol: 'TCP' | 'UDP'): number[] {
	return (container.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === protocol).map((p) => p.containerPort);
}

/** The container port each of the service's `ports` of `chosen` resolves to → the service port. */
function servicePortsOf(ports: ServiceInfo['ports'], chosen: V1Container, protocol: 'TCP' | 'UDP'): Map<number, number> {
	const found = new Map<number, number>();
	for (const port of ports.filter((p) => p.protocol === protocol && p.container === chosen.name)) {
		const number = typeof port.targetPort === 'number' ? port.targetPort
			: chosen.ports?.find((p) => p.name === port.targetPort && (p.protocol ?? 'TCP') === protocol)?.containerPort;
		if (number !== undefined) found.set(number, port.port);
	}
	return found;
}

function workloadOf(service: ServiceInfo, label: string): TargetPlan['workload'] {
	const kinds = new Set<string>(['Deployment', 'StatefulSet', 'ReplicaSet', 'Pod']);
	if (service.workloads.length !== 1) {
		throw targetNotConnectable(label, `its pods belong to ${service.workloads.length} workloads (${service.workloads.map((w) => `${w.kind} ${w.name}`).join(', ')}).`,
			'Connect one of the workloads instead.');
	}
	const [workload] = service.workloads;
	if (!kinds.has(workload!.kind)) throw targetNotConnectable(label, `its pods belong to ${workload!.kind} ${workload!.name}.`);
	return { kind: workload!.kind as TargetWorkloadKind, name: workload!.name };
}

function templateContainers(kind: TargetWorkloadKind, name: string, namespace: string, snapshot: NamespaceSnapshot): V1Container[] {
	const byName = <T extends { metadata?: { name?: string } }>(items: T[]) => items.find((i) => i.metadata?.name === name);
	const found = kind === 'Deployment' ? byName(snapshot.deployments)?.spec?.template.spec?.containers
		: kind === 'StatefulSet' ? byName(snapshot.statefulSets)?.spec?.template.spec?.containers
			: kind === 'ReplicaSet' ? byName(snapshot.replicaSets)?.spec?.template?.spec?.containers
				: byName<V1Pod>(snapshot.pods)?.spec?.containers;
	if (!found) throw targetNotFound(`${kind} '${name}'`, namespace, `List what there is with: kubectl get ${kind.toLowerCase()}s -n ${namespace}`);
	return found;
}

function pickContainer(containers: V1Container[], wanted: string | undefined, fallback: string | null, label: string): V1Container {
	const name = wanted ?? fallback ?? containers.find((c) => !MESH_SIDECARS.has(c.name))?.name;
	const container = containers.find((c) => c.name === name);
	if (!container) {
		throw targetNotConnectable(label, `it has no container '${name}'.`, `Its containers: ${containers.map((c) => c.name).join(', ')}.`);
	}
	return container;
}

/**
 * Decides what connecting `target` means in `snapshot`: the workload to take over, the
 * container the agent replaces, and where each of its ports goes on this machine. Bad
 * targets fail here, before anything in the cluster changes.
 */
export function planTarget(target: ConnectTarget, namespace: string, snapshot: NamespaceSnapshot): TargetPlan {
	if (!target.service === !target.workload) throw targetNotConnectable('the target', 'name either a service or a workload.');
	let label: string;
	let workload: TargetPlan['workload'];
	if (target.service) {
		label = `service/${target.service}`;
		const service = describeServices(snapshot).find((s) => s.name === target.service);
		if (!service) throw targetNotFound(`service '${target.service}'`, namespace, `List the services with: kubebridge services -n ${namespace}`);
		if (!service.connectable) throw targetNotConnectable(label, service.detail);
		workload = workloadOf(service, label);
		const serving = (service.ports.find((p) => p.protocol === 'TCP') ?? service.ports.find((p) => p.protocol === 'UDP'))?.container ?? null;
		const containers = templateContainers(workload.kind, workload.name, namespace, snapshot);
		const chosen = pickContainer(containers, target.container, serving, label);
		const servicePorts = servicePortsOf(service.ports, chosen, 'TCP');
		const udpServicePorts = servicePortsOf(service.ports, chosen, 'UDP');
		return { ...finish(label, namespace, workload, chosen, target, servicePorts, udpServicePorts), service: target.service };
	}
	workload = target.workload!;
	label = `${workload.kind.toLowerCase()}/${workload.name}`;
	const chosen = pickContainer(templateContainers(workload.kind, workload.name, namespace, snapshot), target.container, null, label);
	return { ...finish(label, namespace, workload, chosen, target, new Map(), new Map()), service: null };
}

function finish(label: string, namespace: string, workload: TargetPlan['workload'], container: V1Container, target: ConnectTarget,
	servicePorts: Map<number, number>, udpServicePorts: Map<number, number>): Omit<TargetPlan, 'service'> {
	const remote = [...new Set([...servicePorts.keys(), ...containerPorts(container, 'TCP')])];
	const udp = [...new Set([...udpServicePorts.keys(), ...containerPorts(container, 'UDP')])];
	const mappings = target.ports ?? [] as PortMapping[];
	if (remote.length === 0 && udp.length === 0) {
		throw targetNotConnectable(label, `container '${container.name}' declares no TCP or UDP port.`, 'Name the ports with "ports": [{"remote": 8080, "local": 8080}].');
	}
	const mapped = new Map<number, number>(remote.map((port) => [port, port]));
	const udpMapped = new Map<number, number>(udp.map((port) => [port, port]));
	const first = servicePorts.keys().next().value ?? remote[0];
	if (target.localPort && first !== undefined) mapped.set(first, target.localPort);
	for (const mapping of mappings) {
		// A mapping without a protocol is for the port number: its TCP port, and its UDP port when it has one.
		if (mapping.protocol !== 'UDP') mapped.set(mapping.remote, mapping.local);
		if (mapping.protocol === 'UDP' || (!mapping.protocol && udpMapped.has(mapping.remote))) udpMapped.set(mapping.remote, mapping.local);
	}
	return {
		label, namespace, workload, container: container.name, ports: mapped, servicePorts, udpPorts: udpMapped, udpServicePorts,
		readiness: readinessPlan(container, [...mapped.keys()]),
	};
}
