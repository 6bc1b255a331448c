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
	/** What `features.probes` would mirror of the container's readiness probe, or why it cannot. */
	readiness: ReadinessPlan;
}

function containerPorts(container: V1Container): number[] {
	return (container.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort);
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
	let serving: string | null = null;
	const servicePorts = new Map<number, number>();
	let primary: number | null = null;
	if (target.service) {
		label = `service/${target.service}`;
		const service = describeServices(snapshot).find((s) => s.name === target.service);
		if (!service) throw targetNotFound(`service '${target.service}'`, namespace, `List the services with: kubebridge services -n ${namespace}`);
		if (!service.connectable) throw targetNotConnectable(label, service.detail);
		workload = workloadOf(service, label);
		const tcp = service.ports.filter((p) => p.protocol === 'TCP');
		serving = tcp[0]?.container ?? null;
		const containers = templateContainers(workload.kind, workload.name, namespace, snapshot);
		const chosen = pickContainer(containers, target.container, serving, label);
		for (const port of tcp.filter((p) => p.container === chosen.name)) {
			const number = typeof port.targetPort === 'number' ? port.targetPort
				: chosen.ports?.find((p) => p.name === port.targetPort)?.containerPort;
			if (number === undefined) continue;
			servicePorts.set(number, port.port);
			primary ??= number;
		}
		return { ...finish(label, namespace, workload, chosen, target, servicePorts, primary), service: target.service };
	}
	workload = target.workload!;
	label = `${workload.kind.toLowerCase()}/${workload.name}`;
	const chosen = pickContainer(templateContainers(workload.kind, workload.name, namespace, snapshot), target.container, null, label);
	return { ...finish(label, namespace, workload, chosen, target, servicePorts, null), service: null };
}

function finish(label: string, namespace: string, workload: TargetPlan['workload'], container: V1Container, target: ConnectTarget,
	servicePorts: Map<number, number>, primary: number | null): Omit<TargetPlan, 'service'> {
	const remote = [...new Set([...servicePorts.keys(), ...containerPorts(container)])];
	if (remote.length === 0) {
		throw targetNotConnectable(label, `container '${container.name}' declares no TCP port.`, 'Name the ports with "ports": [{"remote": 8080, "local": 8080}].');
	}
	const mapped = new Map<number, number>(remote.map((port) => [port, port]));
	const first = primary ?? remote[0]!;
	if (target.localPort) mapped.set(first, target.localPort);
	for (const mapping of target.ports ?? [] as PortMapping[]) mapped.set(mapping.remote, mapping.local);
	return { label, namespace, workload, container: container.name, ports: mapped, servicePorts, readiness: readinessPlan(container, [...mapped.keys()]) };
}
