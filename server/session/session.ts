import { createHash, randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONTROL_PORT, LEASE_DURATION_S, restorerName } from '../../agent/src/contract/contract.js';
import type { OwnerRecord, TargetRef } from '../../agent/src/contract/takeover-record.js';
import type {
	ConfigFeatures, ConnectedTarget, ConnectParams, ConnectResult, DisconnectResult, OutboundInfo, SessionStatusResult, StaleRoute,
} from '../../protocol/index.js';
import { DEFAULT_FEATURES } from '../config/config-types.js';
import type { ClusterAccess, NamespaceSnapshot } from '../cluster/cluster-access.js';
import { ChangeSignal } from '../cluster/change-signal.js';
import type { KubeObject } from '../cluster/object-store.js';
import type { LocalServiceEndpoint } from '../environment/env-resolver.js';
import { PodLogs } from './pod-logs.js';
import { logDirectory, type Logger } from '../log/logger.js';
import type { ConfirmFree } from '../outbound/bind-port.js';
import { Outbound } from '../outbound/outbound.js';
import { readOutboundTargets } from '../outbound/read-targets.js';
import { describeOutboundChange } from '../outbound/service-follower.js';
import { dialThroughAgent } from '../tunnel/agent-dial.js';
import { DialPools } from '../tunnel/forward-pool.js';
import { RouteProbes } from '../tunnel/route-probes.js';
import { SessionFiles } from '../files/session-files.js';
import { throwIfCancelled, type Work } from '../work.js';
import { AgentPods, type SessionEvent } from './agent-pods.js';
import type { AgentRuntime } from './agent-runtime.js';
import { deliverAgentScript } from './agent-script-delivery.js';
import { LeaseKeeper } from './lease-keeper.js';
import { waitForProxyRoute } from './proxy-routes.js';
import { PhaseTimeline } from './phase-timeline.js';
import { waitForOriginalRoutes } from './original-routes.js';
import { describeProbe } from '../targets/readiness-mirror.js';
import { restorerManifests } from './restorer-manifests.js';
import { targetEnvironment, type EnvironmentContribution, type TargetEnvironment } from './session-environment.js';
import { agentNotReady } from './session-errors.js';
import { targetNotConnectable } from '../targets/target-errors.js';
import { planTarget, type TargetPlan } from '../targets/target-plan.js';
import { restore, takeOver } from './takeover.js';
import { readRouting } from '../../agent/src/contract/routing-record.js';
import { propagateHeader } from './routing/header-propagation.js';
import { RoutedTargets } from './routing/routed-targets.js';
import { checkNotShared, checkRoutable, routingOf } from './routing/routing-plan.js';
import { hopeless, isReady, readWorkloadPods, serviceEndpointPods } from '../targets/workload-pods.js';

const DEFAULT_READY_TIMEOUT_MS = 120_000;
const SERVING_TIMEOUT_MS = 30_000;
/** How often a wait reads the cluster again when no watch woke it (without the `watch` verb, its only cue). */
const REREAD_MS = 500;
/** The most connect waits for the cluster's proxy, within its ready timeout, before it goes on with a warning. */
const PROXY_TIMEOUT_MS = 30_000;
const refOf = (plan: TargetPlan): TargetRef => ({ kind: plan.workload.kind, name: plan.workload.name, namespace: plan.namespace });
const describeRef = (ref: TargetRef) => `${ref.kind}/${ref.namespace}/${ref.name}`;

/** What a session tells the client, and what it may ask the user through it. */
export interface SessionClient {
	emit(event: SessionEvent): void;
	/** Null when the client cannot ask its user: a taken port is then never freed unless the options say so. */
	confirmFree: ConfirmFree | null;
}

/**
 * One connected session: its targets taken over by agents, their traffic tunnelled to
 * this machine, and the leases that make the cluster restore itself if this process dies.
 */
export class Session {
	readonly id = randomBytes(4).toString('hex');
	private readonly token = randomBytes(32).toString('hex');
	/** What the agents and restorers check the token against: the pod specs never hold the token itself. */
	private readonly tokenHash = createHash('sha256').update(this.token).digest('hex');
	private readonly owner: OwnerRecord;
	private readonly leases: LeaseKeeper;
	private readonly leaseOf = new Map<string, KubeObject>();
	private plans: TargetPlan[] = [];
	private taken: TargetRef[] = [];
	private agents: AgentPods | null = null;
	private outbound: Outbound | null = null;
	/** Forwards to the agents kept open for outbound dials: a new connection skips opening one. */
	private dialPools: DialPools | null = null;
	/** The agents' and restorers' logs, streamed into the session's log folder. */
	readonly podLogs: PodLogs;
	private readonly contributions: EnvironmentContribution[] = [];
	private files: SessionFiles | null = null;
	private readonly probes = new RouteProbes();
	/** Wakes connect's wait for the agents, also when a tunnel starts serving (no watch sees that). */
	private changes: ChangeSignal | null = null;
	/** Targets that share their service with other sessions (header routing, mirror) instead of taking the workload over. */
	private readonly routed: RoutedTargets;
	private params: ConnectParams | null = null;

	/** `features`: the workspace file's switches (what the session may change here and in the cluster). */
	/** `runtime`: the image the agents and restorers run, and the script delivered beside it unless the image has its own. */
	constructor(private readonly cluster: ClusterAccess, readonly runtime: AgentRuntime,
		private readonly client: SessionClient, private readonly logger: Logger,
		readonly features: Required<ConfigFeatures> = DEFAULT_FEATURES) {
		this.owner = { session: this.id, user: userInfo().username, host: hostname(), pid: process.pid, since: new Date().toISOString() };
		this.podLogs = new PodLogs(cluster.endpoint, join(logDirectory(), `session-${this.id}`), logger);
		const holder = `${this.owner.user}@${this.owner.host} pid ${this.owner.pid}`;
		this.leases = new LeaseKeeper(cluster.objects, this.id, holder, logger);
		this.routed = new RoutedTargets(cluster.objects, this.id, holder, logger);
	}

	async connect(params: ConnectParams, work: Work): Promise<ConnectResult> {
		const { progress, cancellation } = work;
		progress.begin('Connecting', `${params.targets.length} target(s)`);
		const timeline = new PhaseTimeline(this.logger, 'connect');
		// Set by a closure, read on rollback: an object, so the compiler does not take it for always null.
		const files: { copying: Promise<void> | null } = { copying: null };
		try {
			if (params.outbound) {
				const route = params.targets.map(routingOf).find((r) => r?.route && r.mode === 'replace')?.route;
				this.outbound = new Outbound(this.id, params.outbound, (host, port, transport) => this.dial(host, port, undefined, undefined, transport), this.logger, this.client.confirmFree,
					route ? propagateHeader(route.header, route.value) : undefined);
				await this.outbound.removeStaleNames();
			}
			progress.report('Reading the targets', 5);
			this.params = params;
			this.plans = await this.plan(params);
			timeline.mark('targets read');
			throwIfCancelled(cancellation);
			if (this.features.probes) this.reportUnmirrored(work);
			progress.report('Creating the session lease, the agent\'s script and the restorer', 15);
			for (const namespace of new Set(this.plans.map((p) => p.namespace))) {
				const lease = await this.leases.create(namespace);
				const mine = this.plans.map((plan, index) => ({ plan, index })).filter(({ plan }) => plan.namespace === namespace);
				const refs = mine.filter(({ index }) => !this.routingAt(index)).map(({ plan }) => refOf(plan));
				const services = mine.filter(({ index }) => this.routingAt(index)).map(({ plan }) => plan.service!);
				const [account, role, binding, pod] = restorerManifests(this.id, namespace, this.runtime, refs, lease, this.tokenHash, services);
				// Two rounds, not five: a binding needs its Role to exist, a pod its service account.
				await Promise.all([
					this.runtime.script ? deliverAgentScript(this.cluster.objects, this.runtime.script, namespace, lease) : null,
					this.cluster.objects.create(account!), this.cluster.objects.create(role!),
				]);
				await Promise.all([this.cluster.objects.create(binding!), this.cluster.objects.create(pod!)]);
				this.leaseOf.set(namespace, lease);
				this.podLogs.follow(namespace, restorerName(this.id), 'restorer');
			}
			this.leases.start();
			timeline.mark('lease, script and restorer created');
			for (const [index, plan] of this.plans.entries()) {
				const routing = this.routingAt(index);
				if (routing) {
					progress.report(`${plan.label}: starting this session's agent pod beside the original pods, and the router`, 25);
					const service = (await this.cluster.objects.read({ apiVersion: 'v1', kind: 'Service', namespace: plan.namespace, name: plan.service! }))!;
					const selector = readRouting(service)?.selector ?? service.spec.selector;
					await this.routed.setUp(index, plan, routing, service, selector,
						{ runtime: this.runtime, session: this.id, tokenHash: this.tokenHash }, this.leaseOf.get(plan.namespace)!);
					continue;
				}
				progress.report(`Replacing container '${plan.container}' of ${plan.workload.kind} ${plan.workload.name} with the agent`, 25);
				await takeOver(this.cluster.objects, refOf(plan), plan.container, [...plan.ports.keys()],
					{ runtime: this.runtime, session: this.id, tokenHash: this.tokenHash, targetIndex: index, readiness: this.mirrorOf(plan), udpPorts: [...plan.udpPorts.keys()] }, this.owner);
				this.taken.push(refOf(plan));
			}
			timeline.mark('workloads taken over');
			const readyTimeoutMs = params.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
			const readyBy = Date.now() + readyTimeoutMs;
			// Linked from now on: each agent's tunnels open the moment it is ready, not once all are.
			this.agents = new AgentPods(this.cluster, this.id, this.token, this.plans, (event) => {
				this.client.emit(event);
				this.changes?.poke();
			}, this.logger, this.podLogs, this.probes);
			await this.agents.start();
			// Outbound needs no agent until a local connection comes: it starts while the agents do.
			// Both run to their end before a failure rolls back, so no listener or name outlives the rollback.
			const outboundStart = this.outbound ? this.startOutbound(this.outbound, params.outbound?.namespaces ?? [], work)
				.then((info) => { timeline.mark('outbound serving'); return info; }) : Promise.resolve(null);
			// The files need serving agents, not the cluster's proxy: they are copied while it catches up.
			const copyFiles = (): void => {
				if (!this.features.mountFiles || files.copying) return;
				files.copying = this.startFiles(this.agents!, work).then(() => timeline.mark('mounted files copied'));
				files.copying.catch(() => undefined);
			};
			const [routedTo, started] = await Promise.allSettled([this.waitForTargets(readyBy, readyTimeoutMs, work, timeline, copyFiles).then(async () => {
				if (!this.routed.any) return;
				await this.routed.register((route, message) => this.client.emit({ change: 'routeAdded', route, message }));
				await this.routed.waitRouted((_namespace, host, port, signal) => this.dial(host, port, signal), Math.min(readyBy, Date.now() + PROXY_TIMEOUT_MS), work);
				timeline.mark('routes added and routed to');
			}), outboundStart]);
			if (routedTo.status === 'rejected') throw routedTo.reason;
			if (started.status === 'rejected') throw started.reason;
			const outbound = started.value;
			copyFiles();
			await files.copying;
			if (this.features.probes) await this.armReadiness(this.agents, work);
			timeline.mark('ready');
			const result: ConnectResult = {
				sessionId: this.id, targets: this.connectedTargets(), restoreWithinSeconds: LEASE_DURATION_S + 5, ...(outbound ? { outbound } : {}),
			};
			this.logger.info('session', 'connected', { session: this.id, targets: result.targets.map((t) => t.target) });
			return result;
		} catch (error) {
			this.logger.warning('session', 'connect failed; putting everything back', { error: (error as Error).message });
			// A copy still under way would write the session folder after the rollback removed it.
			await files.copying?.catch(() => undefined);
			await this.end().catch((e: Error) => this.logger.error('session', 'rollback failed', { error: e.message }));
			throw error;
		} finally {
			progress.end();
		}
	}

	private async plan(params: ConnectParams): Promise<TargetPlan[]> {
		const snapshots = new Map<string, Promise<NamespaceSnapshot>>();
		const plans: TargetPlan[] = [];
		for (const target of params.targets) {
			const namespace = target.namespace ?? this.cluster.namespace;
			if (!snapshots.has(namespace)) snapshots.set(namespace, this.cluster.readNamespaceSnapshot(namespace));
			const snapshot = await snapshots.get(namespace)!;
			const routing = routingOf(target);
			const plan = planTarget(target, namespace, snapshot);
			if (routing) checkRoutable(target, plan.label, snapshot, plan.workload);
			else checkNotShared(plan.service, plan.label, snapshot);
			const same = plans.find((p) => describeRef(refOf(p)) === describeRef(refOf(plan)));
			if (same) throw targetNotConnectable(plan.label, `${same.label} already names ${plan.workload.kind} ${plan.workload.name}.`);
			plans.push(plan);
		}
		if (plans.length === 0) throw targetNotConnectable('the session', 'no target was named.', 'Name a service (or --target), or list targets in kubebridge.yaml.');
		return plans;
	}

	/** The readiness probe the target's agents mirror: only with `features.probes`, and only one they can. */
	private mirrorOf(plan: TargetPlan) {
		return this.features.probes && 'mirror' in plan.readiness ? plan.readiness.mirror : null;
	}

	/** `features.probes` asks for something a target cannot give: the user hears why before anything changes. */
	private reportUnmirrored({ progress }: Work): void {
		for (const plan of this.plans) {
			if (!('reason' in plan.readiness)) continue;
			const message = `${plan.label}: readiness stays the agent's own, not the local program's: ${plan.readiness.reason}`;
			this.logger.info('session', 'readiness not mirrored', { target: plan.label, reason: plan.readiness.reason });
			progress.report(message, 10);
		}
	}

	/**
	 * Last, once every wait for ready agents is over: from here a mirroring agent is unready
	 * while the local program does not answer its container's probe, and would hold them up.
	 */
	private async armReadiness(agents: AgentPods, { progress, cancellation }: Work): Promise<void> {
		throwIfCancelled(cancellation);
		await agents.armReadiness();
		for (const plan of this.plans) {
			const mirror = this.mirrorOf(plan);
			if (mirror) progress.report(`${plan.label}: readiness now follows the local program (${describeProbe(mirror.probe)})`, 99);
		}
	}

	/** Every target at once, each until it is served by its agents only and the cluster's proxy routes to them. */
	private async waitForTargets(readyBy: number, timeoutMs: number, work: Work, timeline: PhaseTimeline, allServe: () => void): Promise<void> {
		const namespaces = [...new Set(this.plans.map((p) => p.namespace))];
		const changes = new ChangeSignal(this.cluster.objects, namespaces.flatMap((namespace) => [
			{ apiVersion: 'v1', kind: 'Pod', namespace }, { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', namespace },
		]));
		this.changes = changes;
		let halted = false;
		// One target failing ends the others' waits: connect is rolled back anyway.
		const each: Work = { progress: work.progress, cancellation: { get isCancellationRequested() { return halted || work.cancellation.isCancellationRequested; } } };
		try {
			const shared = this.plans.map((_, index) => index).filter((index) => this.routingAt(index));
			const serving = this.plans.map(async (plan, index) => {
				if (this.routingAt(index)) return;
				await this.waitForTarget(index, plan, readyBy, timeoutMs, changes, each);
				timeline.mark(`${plan.label}: agents ready, routed to and serving`);
			});
			const sharedServing = this.routed.any ? this.waitForSharedAgents(shared, readyBy, changes, each) : Promise.resolve();
			Promise.all([...serving, sharedServing]).then(allServe, () => undefined);
			await Promise.all([...serving.map(async (served, index) => {
				await served;
				if (this.routingAt(index)) return;
				await this.waitForProxy(index, this.plans[index]!, Math.min(readyBy, Date.now() + PROXY_TIMEOUT_MS), each);
				timeline.mark(`${this.plans[index]!.label}: the cluster's proxy routes to the agents`);
			}), sharedServing]);
		} finally {
			halted = true;
			this.changes = null;
			changes.close();
		}
	}

	/** The shared targets: their own agent pods and routers ready, then those agents serving through their tunnels. */
	private async waitForSharedAgents(indexes: number[], readyBy: number, changes: ChangeSignal, work: Work): Promise<void> {
		await this.routed.waitReady(readyBy, work);
		const servingBy = Date.now() + SERVING_TIMEOUT_MS;
		for (;;) {
			throwIfCancelled(work.cancellation);
			await this.agents!.refresh();
			const serving = this.agents!.serving();
			if (indexes.every((index) => (serving.get(index)?.length ?? 0) > 0)) return;
			if (Date.now() > servingBy) throw agentNotReady('the session', 'the agents did not answer through the port-forward.');
			await changes.next(REREAD_MS);
		}
	}

	/**
	 * Until every replica of the target is an agent, ready, the only pod its service routes
	 * to, and serving through its tunnels. Read again at each change the watches report.
	 */
	private async waitForTarget(index: number, plan: TargetPlan, readyBy: number, timeoutMs: number, changes: ChangeSignal,
		{ progress, cancellation }: Work): Promise<void> {
		const ref = refOf(plan);
		let routedAt: number | null = null;
		for (;;) {
			throwIfCancelled(cancellation);
			const [pods] = await Promise.all([readWorkloadPods(this.cluster.objects, ref, this.id), this.agents!.refresh()]);
			if (!pods) throw agentNotReady(plan.label, `${plan.workload.kind} ${plan.workload.name} is gone.`);
			const ready = pods.agents.filter(isReady);
			const stuck = pods.agents.map(hopeless).find(Boolean);
			if (stuck) throw agentNotReady(plan.label, stuck);
			progress.report(`${plan.label}: ${ready.length}/${pods.desired} agent pods ready, ${pods.others.length} original pods left`,
				30 + Math.round(50 * ready.length / Math.max(1, pods.desired)));
			if (ready.length >= pods.desired && pods.others.length === 0 && await this.routesOnlyTo(plan, pods.agents)) {
				routedAt ??= Date.now();
				if (this.agents!.serves(index, ready.map((pod) => pod.metadata.name))) return;
				// Every ready replica's tunnel, not just one: the result lists them all.
				if (Date.now() > routedAt + SERVING_TIMEOUT_MS) throw agentNotReady(plan.label, 'the agents did not answer through the port-forward.');
			} else if (Date.now() > readyBy) {
				throw agentNotReady(plan.label, `${ready.length} of ${pods.desired} ready after ${Math.round(timeoutMs / 1000)} s.`);
			}
			await changes.next(REREAD_MS);
		}
	}

	/** Whether the target's service sends its traffic to these agent pods and nowhere else. */
	private async routesOnlyTo(plan: TargetPlan, agents: { metadata: { name: string } }[]): Promise<boolean> {
		if (!plan.service) return true;
		const routed = await serviceEndpointPods(this.cluster.objects, plan.namespace, plan.service);
		return routed.size === agents.length && agents.every((pod) => routed.has(pod.metadata.name));
	}

	private waitForProxy(index: number, plan: TargetPlan, deadline: number, work: Work): Promise<void> {
		const agents = this.agents!;
		return waitForProxyRoute(index, plan, this.cluster.objects, {
			probes: this.probes,
			dial: (host, port, signal, dialMs) => this.dial(host, port, signal, dialMs),
			agentsOf: (target) => agents.serving().get(target) ?? [],
			elsewhere: (index) => this.routed.has(index),
		}, deadline, work, this.logger);
	}

	/** Every service of the targets' namespaces (and the ones asked for) on a local address, dialled through the agents. */
	private async startOutbound(outbound: Outbound, more: string[], { progress, cancellation }: Work): Promise<OutboundInfo> {
		progress.report('Reaching the cluster\'s services from this machine', 95);
		const namespaces = [...new Set([...this.plans.map((p) => p.namespace), ...more])];
		// The same read as while following: the services, and pods only where a headless service needs them.
		const read = () => readOutboundTargets(this.cluster.objects, namespaces);
		const targets = await read();
		throwIfCancelled(cancellation);
		const info = await outbound.start(targets, this.plans[0]!.namespace);
		this.logger.info('outbound', 'serving', { mode: info.mode, services: info.services.length, notes: info.notes });
		outbound.follow(read, (change) => this.client.emit({
			change: 'outboundChanged', services: [...change.added, ...change.changed, ...change.removed], message: describeOutboundChange(change),
		}));
		// `$(services:NAME[.NS])` of kubebridge.yaml is the local address of a service reached here.
		this.contributeEnvironment({
			service: (name, namespace, target) => this.localServices(namespace ?? target.namespace).get(name)?.host,
			externalEndpoint: (host, port) => this.outbound?.externalEndpoint(host, port),
		});
		return info;
	}

	private dial(host: string, port: number, signal?: AbortSignal, dialMs?: number, transport?: 'udp') {
		const agent = this.agents?.dialAgent();
		if (!agent) return Promise.reject(new Error('no agent pod serves right now'));
		this.dialPools ??= new DialPools(this.cluster.endpoint);
		return dialThroughAgent(this.dialPools.of(agent), agent, host, port, signal, { dialMs, transport });
	}

	/** Mirrors the targets' mounted files; kubebridge.yaml's `mountFiles: false` leaves them in the cluster. */
	private async startFiles(agents: AgentPods, { progress, cancellation }: Work): Promise<void> {
		throwIfCancelled(cancellation);
		progress.report('Copying the mounted files', 97);
		const files = await SessionFiles.start(this.cluster, this.id, this.plans, agents, ({ target, files: changed }) => this.client.emit({
			change: 'filesChanged', files: changed, message: `${changed.length} mounted file(s) of ${target} changed on this machine.`,
		}), this.logger);
		this.files = files;
		// KUBEBRIDGE_ROOT for the local program; `$(volumeMounts:NAME)` of kubebridge.yaml is a mount's folder in the copy.
		this.contributeEnvironment({ vars: (target) => files.vars(target.index), volumeMount: (name, target) => files.mountFolder(target.index, name) });
	}

	/** A feature's part of the environment handed to the local program; see `session-environment.ts`. */
	contributeEnvironment(contribution: EnvironmentContribution): void {
		this.contributions.push(contribution);
	}

	/** What the session adds to the environment of one of its targets' containers; null when it is not one of them. */
	environmentFor(namespace: string, workload: { kind: string; name: string }, container: string): TargetEnvironment | null {
		const index = this.plans.findIndex((p) => p.namespace === namespace && p.workload.kind === workload.kind
			&& p.workload.name === workload.name && p.container === container);
		return index < 0 ? null : targetEnvironment(this.contributions, { index, namespace, container });
	}

	private connectedTargets(): ConnectedTarget[] {
		const serving = this.agents?.serving() ?? new Map<number, string[]>();
		return this.plans.map((plan, index) => ({
			target: plan.label,
			namespace: plan.namespace,
			workload: plan.workload,
			container: plan.container,
			agentPods: (serving.get(index) ?? []).sort(),
			ports: [
				...[...plan.ports].map(([remote, local]) => ({ remote, local, protocol: 'TCP' as const, servicePort: plan.servicePorts.get(remote) ?? null })),
				...[...plan.udpPorts].map(([remote, local]) => ({ remote, local, protocol: 'UDP' as const, servicePort: plan.udpServicePorts.get(remote) ?? null })),
			],
			environment: targetEnvironment(this.contributions, { index, namespace: plan.namespace, container: plan.container }).vars,
			files: this.files?.describe(index) ?? null,
			mode: this.routingAt(index)?.mode ?? 'replace',
			route: this.routingAt(index)?.route ?? null,
			router: this.routed.routingOf(index)?.router ?? null,
		}));
	}

	/** How target `index` shares its service, as connect was asked; null when it is taken over whole. */
	private routingAt(index: number) {
		const target = this.params?.targets[index];
		return target ? routingOf(target) : null;
	}

	status(): SessionStatusResult {
		const outbound = this.outbound?.info();
		return { sessionId: this.id, targets: this.connectedTargets(), agents: this.agents?.statuses() ?? [], ...(outbound ? { outbound } : {}) };
	}

	/** Where this machine reaches the services of `namespace`; empty without outbound access. */
	localServices(namespace: string): Map<string, LocalServiceEndpoint> {
		return this.outbound?.localServices(namespace) ?? new Map();
	}

	async disconnect({ progress }: Work): Promise<DisconnectResult> {
		progress.begin('Disconnecting', `session ${this.id}`);
		try {
			const { restored, stale } = await this.end((message, percentage) => progress.report(message, percentage));
			this.client.emit({ change: 'disconnected', message: `Session ${this.id} ended; ${restored.length} workload(s) restored.` });
			return { restored, ...(stale.length > 0 ? { stale } : {}) };
		} finally {
			progress.end();
		}
	}

	/**
	 * Puts every workload back, waits until the originals serve again and the services
	 * route to them only, then deletes the leases (the restorers go with them). The leases
	 * stay renewed until then, so a crash half-way leaves the rest to the restorers.
	 */
	private async end(report: (message: string, percentage: number) => void = () => undefined): Promise<{ restored: string[]; stale: StaleRoute[] }> {
		const timeline = new PhaseTimeline(this.logger, 'disconnect');
		// The names go first: the local process should not reach services through a session that is ending.
		await this.outbound?.stop().catch((error: Error) =>
			this.logger.error('outbound', 'removing the names failed; the next start removes them', { error: error.message }));
		this.outbound = null;
		await this.files?.stop();
		this.files = null;
		// Routes go before the agents: the routers send the session's requests to the originals again.
		const pools = new DialPools(this.cluster.endpoint);
		const shared = await this.routed.end((namespace, host, port, signal) => this.restorerDial(pools, namespace, host, port, signal), report)
			.catch((error: Error) => {
				this.logger.error('routing', 'taking the routes away failed; the restorers do it once the lease lapses', { error: error.message });
				return { restored: [], stale: [] };
			})
			.finally(() => pools.close());
		if (shared.restored.length > 0) this.client.emit({ change: 'routeRemoved', message: `${shared.restored.join(', ')}: back to the original pods.` });
		this.agents?.stop();
		this.agents = null;
		this.dialPools?.close();
		this.dialPools = null;
		timeline.mark('this machine\'s side stopped');
		const restored: string[] = [...shared.restored];
		if (this.taken.length > 0) report(`Restoring ${this.taken.map((ref) => `${ref.kind} ${ref.name}`).join(', ')}`, 20);
		const written = await Promise.all(this.taken.map((ref) => restore(this.cluster.objects, ref, this.id)));
		restored.push(...this.taken.filter((_, i) => written[i]).map(describeRef));
		timeline.mark('workloads written back');
		const stale = [...shared.stale, ...await this.waitForOriginals(report)];
		timeline.mark('routed back to the originals', { stale: stale.length });
		this.taken = [];
		await this.leases.deleteAll();
		this.podLogs.close();
		timeline.mark('leases deleted');
		return { restored, stale };
	}

	/** A dial from the session's restorer in `namespace`: the pod of the session left there once the agents are gone. */
	private restorerDial(pools: DialPools, namespace: string, host: string, port: number, signal: AbortSignal, dialMs?: number) {
		const restorer = { namespace, pod: restorerName(this.id), controlPort: DEFAULT_CONTROL_PORT, token: this.token };
		return dialThroughAgent(pools.of(restorer), restorer, host, port, signal, { dialMs });
	}

	/** The agents are gone by now: the restorers are the session's pods left to call the services from. */
	private async waitForOriginals(report: (message: string, percentage: number) => void): Promise<StaleRoute[]> {
		const pools = new DialPools(this.cluster.endpoint);
		try {
			return await waitForOriginalRoutes(this.taken.map((ref, index) => ({ index, ref, plan: this.plans[index]! })), {
				objects: this.cluster.objects,
				session: this.id,
				dial: (namespace, host, port, signal, dialMs) => this.restorerDial(pools, namespace, host, port, signal, dialMs),
			}, report, this.logger);
		} finally {
			pools.close();
		}
	}
}
