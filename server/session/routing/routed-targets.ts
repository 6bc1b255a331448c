import { LABELS } from '../../../agent/src/contract/contract.js';
import { ROUTER_LABEL, routerName, type RouteEntry } from '../../../agent/src/contract/routing-record.js';
import type { RouteHeader, StaleRoute, TargetMode } from '../../../protocol/index.js';
import type { KubeObject, ObjectStore } from '../../cluster/object-store.js';
import type { Logger } from '../../log/logger.js';
import { pollUntil } from '../../platform/poll.js';
import type { Tunnel } from '../../tunnel/agent-exchange.js';
import { throwIfCancelled, type Work } from '../../work.js';
import { agentTemplate, type AgentSettings, type PodTemplate } from '../agent-template.js';
import { MAX_PATIENCE_MS, probesInARow, probeUntilInARow, type ProbeOutcome } from '../proxy-routes.js';
import { leaseOwner } from '../restorer-manifests.js';
import { agentNotReady } from '../session-errors.js';
import { ensureShared } from '../shared-object.js';
import type { TargetPlan } from '../../targets/target-plan.js';
import { apiVersionOf, hopeless, isReady, serviceEndpoints } from '../../targets/workload-pods.js';
import { addRoute, removeRoute } from './route-registry.js';
import { routerDependents, routerDeployment, type RoutedPort, type RouterSpec } from './router-manifests.js';
import { probeRouter } from './router-probes.js';
import { routeNotPossible } from './routing-errors.js';

const POLL_MS = 500;
/** How long disconnect waits for the restored selector to reach the proxy before it answers anyway. */
const ROUTES_TIMEOUT_MS = 30_000;

/** How one target of the session shares its service: the header that selects its requests, and whether it takes or copies them. */
export interface Routing { route: RouteHeader | null; mode: TargetMode }

/** A routed target as connect set it up. */
interface Routed {
	index: number;
	plan: TargetPlan;
	routing: Routing;
	spec: RouterSpec;
	agentPod: string;
	registered: boolean;
}

/** Dials `host:port` in the cluster from a pod of the session in `namespace`. */
export type ClusterDial = (namespace: string, host: string, port: number, signal: AbortSignal) => Promise<Tunnel>;

type Report = (message: string, percentage: number) => void;

export const agentPodName = (session: string, index: number): string => `kubebridge-agent-${session}-${index}`;

/** The pod template the workload runs: its controller's, or a bare pod's own spec without what the scheduler set. */
async function workloadTemplate(objects: ObjectStore, plan: TargetPlan): Promise<PodTemplate> {
	const { kind, name } = plan.workload;
	const object = await objects.read({ apiVersion: apiVersionOf(kind), kind, namespace: plan.namespace, name });
	if (!object) throw agentNotReady(plan.label, `${kind} ${name} is gone.`);
	if (kind !== 'Pod') return object.spec.template as PodTemplate;
	const { nodeName: _node, ...spec } = object.spec;
	return { metadata: { labels: object.metadata.labels ?? {}, annotations: object.metadata.annotations ?? {} }, spec } as PodTemplate;
}

/** The ports the router takes, each resolved to the container port the Service's targetPort names. */
function routedPorts(plan: TargetPlan, service: KubeObject, template: PodTemplate): RoutedPort[] {
	const container = template.spec.containers.find((c) => c.name === plan.container);
	const named = new Map((container?.ports ?? []).map((p) => [(p as { name?: string }).name, p.containerPort]));
	const ports: RoutedPort[] = [];
	for (const port of service.spec.ports ?? []) {
		const containerPort = typeof port.targetPort === 'number' ? port.targetPort : named.get(port.targetPort ?? '') ?? (port.targetPort === undefined ? port.port : undefined);
		if (containerPort === undefined || !plan.ports.has(containerPort)) {
			throw routeNotPossible(plan.label, `service port ${port.port} does not lead to container '${plan.container}'.`, 'Route a service whose ports all lead to one container.');
		}
		const name = [...named].find(([, number]) => number === containerPort)?.[0];
		ports.push({ containerPort, targetPort: port.targetPort ?? port.port, ...(name ? { name } : {}) });
	}
	return ports;
}

/**
 * The targets of a session that share their service with other sessions (header routing,
 * mirror): the originals keep running; the Service selects a router that sends each
 * request to the session whose header it carries, copies it to mirrors, or hands it to
 * the originals. Each session adds its own agent pod and its route; the last route out
 * writes the Service's selector back, and the router goes with the last session's lease.
 */
export class RoutedTargets {
	private readonly targets: Routed[] = [];

	constructor(private readonly objects: ObjectStore, private readonly session: string, private readonly holder: string,
		private readonly logger: Logger) {}

	get any(): boolean {
		return this.targets.length > 0;
	}

	has(index: number): boolean {
		return this.targets.some((t) => t.index === index);
	}

	routingOf(index: number): (Routing & { router: string }) | null {
		const target = this.targets.find((t) => t.index === index);
		return target ? { ...target.routing, router: routerName(target.spec.service) } : null;
	}

	/** The router (shared, owned by every routed session's lease) and this session's own agent pod for the target. */
	async setUp(index: number, plan: TargetPlan, routing: Routing, service: KubeObject, selector: Record<string, string>,
		settings: Omit<AgentSettings, 'targetIndex'>, lease: KubeObject): Promise<void> {
		const template = await workloadTemplate(this.objects, plan);
		const spec: RouterSpec = { namespace: plan.namespace, service: plan.service!, selector, ports: routedPorts(plan, service, template) };
		const router = await ensureShared(this.objects, routerDeployment(spec, settings.runtime, lease), lease, (current) => {
			if (current.metadata.labels?.[LABELS.role] !== 'router') throw routeNotPossible(plan.label, `Deployment ${current.metadata.name} is not kubebridge's router.`);
		}, () => agentNotReady(plan.label, `the router Deployment ${routerName(spec.service)} kept changing.`));
		if (router.created) for (const object of routerDependents(spec, router.object)) await this.objects.create(object);
		const agent = agentTemplate(template, plan.container, [...plan.ports.keys()], { ...settings, targetIndex: index, readiness: null });
		await this.objects.create({
			apiVersion: 'v1', kind: 'Pod',
			metadata: {
				name: agentPodName(this.session, index), namespace: plan.namespace, ownerReferences: [leaseOwner(lease)],
				labels: { [LABELS.session]: this.session, [LABELS.target]: String(index), [LABELS.role]: 'routed-agent' },
				...(agent.metadata?.annotations ? { annotations: agent.metadata.annotations } : {}),
			},
			spec: { ...agent.spec, restartPolicy: 'Always' },
		});
		this.targets.push({ index, plan, routing, spec, agentPod: agentPodName(this.session, index), registered: false });
	}

	/** Until each target's agent pod and its router are ready; an agent that cannot start fails at once. */
	async waitReady(deadline: number, { progress, cancellation }: Work): Promise<void> {
		for (const target of this.targets) {
			const ready = await pollUntil(async () => {
				throwIfCancelled(cancellation);
				const pod = await this.objects.read({ apiVersion: 'v1', kind: 'Pod', namespace: target.plan.namespace, name: target.agentPod });
				if (!pod) throw agentNotReady(target.plan.label, `agent pod ${target.agentPod} is gone.`);
				const stuck = hopeless(pod);
				if (stuck) throw agentNotReady(target.plan.label, stuck);
				const routerPods = await this.objects.list('v1', 'Pod', target.plan.namespace, `${ROUTER_LABEL}=${target.spec.service}`);
				const routers = routerPods.filter(isReady);
				const stuckRouter = routerPods.map(hopeless).find(Boolean);
				if (stuckRouter && routers.length === 0) throw agentNotReady(`the router of ${target.plan.label}`, stuckRouter);
				progress.report(`${target.plan.label}: agent pod ${isReady(pod) ? 'ready' : 'starting'}, ${routers.length} router pod(s) ready`, 50);
				return isReady(pod) && routers.length > 0;
			}, { everyMs: POLL_MS, withinMs: Math.max(0, deadline - Date.now()) });
			if (!ready) throw agentNotReady(target.plan.label, 'the agent pod or the router was not ready in time.');
		}
	}

	/** Adds each target's route to its Service: from here the router sends the session what its header selects. */
	async register(emit: (route: { target: string; mode: TargetMode; header: RouteHeader | null }, message: string) => void): Promise<void> {
		for (const target of this.targets) {
			const pod = await this.objects.read({ apiVersion: 'v1', kind: 'Pod', namespace: target.plan.namespace, name: target.agentPod });
			const ip = pod?.status?.podIP as string | undefined;
			if (!ip) throw agentNotReady(target.plan.label, `agent pod ${target.agentPod} has no IP.`);
			const { route, mode } = target.routing;
			const entry: RouteEntry = { session: this.session, mode: mode === 'mirror' ? 'mirror' : 'route', pod: ip, holder: this.holder,
				...(route ? { header: route.header.toLowerCase(), value: route.value } : {}) };
			await addRoute(this.objects, target.plan.namespace, target.spec.service, entry, routerName(target.spec.service), target.plan.label);
			target.registered = true;
			this.logger.info('routing', 'route added', { target: target.plan.label, mode, header: route?.header ?? null, value: route?.value ?? null, pod: ip });
			emit({ target: target.plan.label, mode, header: route }, describeRoute(target.plan.label, target.routing));
		}
	}

	/**
	 * Until the Service's cluster IP reaches routers that know this session's route, as any
	 * pod calls it: the selector changed and the routers read the routes a moment later.
	 */
	async waitRouted(dial: ClusterDial, deadline: number, { progress, cancellation }: Work): Promise<void> {
		for (const target of this.targets) {
			const host = await this.clusterIp(target);
			const ports = [...target.plan.servicePorts.values()];
			const routers = (await this.objects.list('v1', 'Pod', target.plan.namespace, `${ROUTER_LABEL}=${target.spec.service}`)).length;
			progress.report(`${target.plan.label}: waiting for the cluster's proxy to route to the router`, 92);
			const started = Date.now();
			const tally = await probeUntilInARow({
				host, ports, needed: probesInARow(routers),
				probe: (h, p) => this.probe(dial, target.plan.namespace, h, p, (answer) =>
					'router' in answer && answer.sessions.includes(this.session) ? '' : `${'router' in answer ? `router ${answer.router} does not know the route yet` : Object.values(answer)[0]}`),
			}, deadline, cancellation, this.logger);
			this.logger.info('routing', tally.confirmed ? 'the cluster\'s proxy routes to the router' : 'the router was not seen serving the route; connecting anyway',
				{ target: target.plan.label, ms: Date.now() - started, probes: tally.sent, misses: tally.misses, lastMiss: tally.lastMiss });
			if (!tally.confirmed) progress.report(`${target.plan.label}: the router was not seen serving this session's route (${tally.lastMiss})`, 93);
		}
	}

	/**
	 * Takes this session's routes away. Where it was the last, the Service has its selector
	 * back, and disconnect waits until the proxy sends callers to the originals only.
	 */
	async end(dial: ClusterDial, report: Report): Promise<{ restored: string[]; stale: StaleRoute[] }> {
		const restored: string[] = [];
		const stale: StaleRoute[] = [];
		for (const target of this.targets) {
			const { namespace } = target.plan;
			const { last } = await removeRoute(this.objects, namespace, target.spec.service, this.session);
			this.logger.info('routing', 'route removed', { target: target.plan.label, last });
			if (!last) continue;
			restored.push(`Service/${namespace}/${target.spec.service}`);
			report(`${target.plan.label}: the service selects the original pods again`, 40);
			const reason = await this.untilOriginals(target, dial);
			if (reason) stale.push({ target: target.plan.label, reason });
		}
		this.targets.length = 0;
		return { restored, stale };
	}

	private async untilOriginals(target: Routed, dial: ClusterDial): Promise<string | null> {
		const { namespace } = target.plan;
		const deadline = Date.now() + ROUTES_TIMEOUT_MS;
		let ready = 0;
		const moved = await pollUntil(async () => {
			const endpoints = await serviceEndpoints(this.objects, namespace, target.spec.service);
			const routers = new Set((await this.objects.list('v1', 'Pod', namespace, `${ROUTER_LABEL}=${target.spec.service}`)).map((p) => p.metadata.uid));
			ready = endpoints.filter((e) => e.ready).length;
			return ready > 0 && !endpoints.some((e) => routers.has(e.uid));
		}, { everyMs: POLL_MS, withinMs: ROUTES_TIMEOUT_MS });
		if (!moved) return `the EndpointSlices of service ${target.spec.service} still list the router`;
		const host = await this.clusterIp(target);
		const tally = await probeUntilInARow({
			host, ports: [...target.plan.servicePorts.values()], needed: probesInARow(ready),
			probe: (h, p) => this.probe(dial, namespace, h, p, (answer) => ('other' in answer ? '' : 'router' in answer ? `router ${answer.router} still answered` : answer.none)),
		}, deadline, { isCancellationRequested: false }, this.logger);
		this.logger.info('routing', 'the cluster\'s proxy routes to the original pods', { target: target.plan.label, probes: tally.sent, misses: tally.misses, confirmed: tally.confirmed });
		return tally.confirmed ? null : `the cluster's proxy was not seen routing to the original pods only (${tally.lastMiss})`;
	}

	private async clusterIp(target: Routed): Promise<string> {
		const service = await this.objects.read({ apiVersion: 'v1', kind: 'Service', namespace: target.plan.namespace, name: target.spec.service });
		return service?.spec?.clusterIP as string;
	}

	/** One probe; `miss` says why an answer does not count, or '' when it does. */
	private async probe(dial: ClusterDial, namespace: string, host: string, port: number, miss: (answer: Awaited<ReturnType<typeof probeRouter>>) => string): Promise<ProbeOutcome> {
		try {
			const tunnel = await dial(namespace, host, port, AbortSignal.timeout(MAX_PATIENCE_MS));
			const why = miss(await probeRouter(tunnel, host, port));
			return { hit: why === '', why };
		} catch (error) {
			return { hit: false, why: `dialling ${host}:${port} failed: ${(error as Error).message}` };
		}
	}
}

/** A sentence on what reaches this machine now. */
export function describeRoute(label: string, { route, mode }: Routing): string {
	const which = route ? `requests carrying '${route.header}: ${route.value}'` : 'every request';
	return mode === 'mirror'
		? `${label}: the original pods serve every request; a copy of ${which} reaches this machine (its answers are discarded).`
		: `${label}: ${which} reach this machine; every other request is served by the original pods.`;
}
