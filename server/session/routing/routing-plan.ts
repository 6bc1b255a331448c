import type { V1Service } from '@kubernetes/client-node';
import { ANNOTATIONS } from '../../../agent/src/contract/contract.js';
import { readRouting, sameClaim } from '../../../agent/src/contract/routing-record.js';
import type { ConnectTarget } from '../../../protocol/index.js';
import type { NamespaceSnapshot } from '../../cluster/cluster-access.js';
import { targetTakenOver } from '../session-errors.js';
import type { Routing } from './routed-targets.js';
import { routeNotPossible, routeTaken } from './routing-errors.js';

/** How the target shares its service; null when it takes the workload over. */
export function routingOf(target: ConnectTarget): Routing | null {
	if (!target.route && target.mode !== 'mirror') return null;
	return { route: target.route ?? null, mode: target.mode ?? 'replace' };
}

const serviceNamed = (snapshot: NamespaceSnapshot, name: string | null) => snapshot.services.find((s) => s.metadata?.name === name);

/** Why a target cannot share its service, checked before anything changes. */
export function checkRoutable(target: ConnectTarget, label: string, snapshot: NamespaceSnapshot, workload: { kind: string; name: string }): void {
	if (!target.service) throw routeNotPossible(label, 'only a service can be shared: name the service in front of the workload.');
	const lists: Record<string, { metadata?: { name?: string; annotations?: Record<string, string> } }[]> = {
		Deployment: snapshot.deployments, StatefulSet: snapshot.statefulSets, ReplicaSet: snapshot.replicaSets, Pod: snapshot.pods,
	};
	const object = lists[workload.kind]?.find((o) => o.metadata?.name === workload.name);
	const holder = object?.metadata?.annotations?.[ANNOTATIONS.session];
	if (holder) throw targetTakenOver(`${workload.kind} '${workload.name}'`, `session ${holder}, which replaced it whole`);
	const service = serviceNamed(snapshot, target.service) as V1Service;
	if (service.spec?.clusterIP === 'None') throw routeNotPossible(label, 'the service is headless: its callers reach the pods directly, not through a router.');
	const route = target.route;
	const clash = route && target.mode !== 'mirror' && readRouting(service as never)?.routes
		.find((r) => sameClaim(r, { mode: 'route', header: route.header.toLowerCase(), value: route.value }));
	if (clash && route) throw routeTaken(label, route.header, route.value, clash.holder);
	const other = (service.spec?.ports ?? []).filter((p) => (p.protocol ?? 'TCP') !== 'TCP');
	if (other.length > 0) {
		throw routeNotPossible(label, `the router carries TCP only, and the service has ${other.map((p) => `${p.protocol} port ${p.port}`).join(', ')}.`,
			'Connect it without route and mode to take it over whole.');
	}
}

/** A service other sessions share by routing is not taken over whole: their routes would lose their originals. */
export function checkNotShared(service: string | null, label: string, snapshot: NamespaceSnapshot): void {
	const record = readRouting((serviceNamed(snapshot, service) ?? { metadata: {} }) as never);
	if (!record) return;
	throw targetTakenOver(label, `shared by header routing or mirror with ${record.routes.map((r) => r.holder).join(', ')}; connect with a route of your own`);
}
