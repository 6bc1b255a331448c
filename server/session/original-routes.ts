import { LABELS, restorerName } from '../../agent/src/contract/contract.js';
import type { TargetRef } from '../../agent/src/contract/takeover-record.js';
import type { StaleRoute } from '../../protocol/index.js';
import { ChangeSignal } from '../cluster/change-signal.js';
import type { ObjectStore } from '../cluster/object-store.js';
import type { Logger } from '../log/logger.js';
import type { Tunnel } from '../tunnel/agent-exchange.js';
import type { Cancellation } from '../work.js';
import { FORWARD_MS, probeAddress, probesInARow, probeUntilInARow, type ProbeOutcome } from './proxy-routes.js';
import type { TargetPlan } from '../targets/target-plan.js';
import { isReady, readWorkloadPods, serviceEndpoints } from '../targets/workload-pods.js';

/** How long disconnect waits for the original pods to be Ready, as it did before it waited for the proxy. */
const PODS_TIMEOUT_MS = 120_000;
/** The most it then waits for the agents to be gone and the Service to route to the originals, before it answers anyway. */
const ROUTES_TIMEOUT_MS = 30_000;
/** How often the wait reads the API again when no watch woke it. */
const REREAD_MS = 500;

/** What the wait needs of the session once its agents are stopped and its workloads written back. */
export interface OriginalRouting {
	objects: ObjectStore;
	session: string;
	/**
	 * Dials `host:port` inside the cluster from the session's restorer in `namespace`: with
	 * the agents gone it is the one pod of the session left there to call from.
	 */
	dial(namespace: string, host: string, port: number, signal: AbortSignal, dialMs: number): Promise<Tunnel>;
}

/** A target put back: which of the session's targets it was (its agents carry that index), and its plan. */
export interface RestoredTarget { index: number; ref: TargetRef; plan: TargetPlan }

export interface Timeouts { podsMs: number; routesMs: number }

type Report = (message: string, percentage: number) => void;

/** Never cancelled: a disconnect that stopped half-way would leave the rest to the restorer for no reason. */
const UNCANCELLED: Cancellation = { isCancellationRequested: false };

/**
 * What still keeps callers of the target from reaching only original pods, as the API
 * server tells: originals not Ready, agent pods not gone (a terminating one too), or
 * EndpointSlices that list a pod other than a live original. Empty once all is right.
 */
interface ApiState {
	podsReady: boolean;
	pending: string[];
	/** The ready endpoints: the proxy picks among them. */
	endpoints: number;
}

async function pendingInApi(objects: ObjectStore, session: string, target: RestoredTarget): Promise<ApiState | null> {
	const { ref, plan, index } = target;
	// Read side by side: each round is one API round trip, not four.
	const [pods, agents, endpoints] = await Promise.all([
		readWorkloadPods(objects, ref, session),
		objects.list('v1', 'Pod', ref.namespace, `${LABELS.session}=${session},${LABELS.target}=${index}`),
		plan.service ? serviceEndpoints(objects, ref.namespace, plan.service) : Promise.resolve([]),
	]);
	if (!pods) return null;
	const ready = pods.others.filter(isReady).length;
	const pending: string[] = [];
	const podsReady = ready >= pods.desired;
	if (!podsReady) pending.push(`${ready}/${pods.desired} original pods ready`);
	if (agents.length > 0) pending.push(`${agents.length} agent pod(s) still there (${agents.map((p) => p.metadata.name).sort().join(', ')})`);
	if (!plan.service) return { podsReady, pending, endpoints: 0 };
	const originals = new Set(pods.others.map((p) => p.metadata.uid));
	const others = endpoints.filter((e) => !originals.has(e.uid));
	if (others.length > 0) pending.push(`the EndpointSlices of service ${plan.service} still list ${others.map((e) => e.name).sort().join(', ')}`);
	const serving = endpoints.filter((e) => e.ready).length;
	if (serving === 0) pending.push(`the EndpointSlices of service ${plan.service} list no ready original yet`);
	return { podsReady, pending, endpoints: serving };
}


/** A probe once no agent is left: a dial that connects reached an original; one that hangs or fails met a stale rule. */
async function probeOriginals(routing: OriginalRouting, namespace: string, host: string, port: number, patienceMs: number): Promise<ProbeOutcome> {
	const started = Date.now();
	try {
		const tunnel = await routing.dial(namespace, host, port, AbortSignal.timeout(FORWARD_MS), patienceMs);
		tunnel.socket.destroy();
		return { hit: true, why: '', ms: Date.now() - started };
	} catch (error) {
		return { hit: false, why: `a connection to ${host}:${port} failed (allowed ${patienceMs} ms once a forward was open): ${(error as Error).message}` };
	}
}

/** Whether the restorer is there to dial from; why not when it is not. */
async function restorerMissing(objects: ObjectStore, session: string, namespace: string): Promise<string | null> {
	const pod = await objects.read({ apiVersion: 'v1', kind: 'Pod', namespace, name: restorerName(session) });
	return pod && isReady(pod) ? null : `the session's restorer pod in ${namespace} is not running, so nothing in the cluster could call the service`;
}

/** Until the target's service routes to its originals only; what is still stale when the bounds ran out. */
async function untilOriginalsServe(routing: OriginalRouting, target: RestoredTarget, timeouts: Timeouts, changes: ChangeSignal, report: Report,
	logger: Logger): Promise<string | null> {
	const { objects, session } = routing;
	const { plan } = target;
	const started = Date.now();
	const podsBy = started + timeouts.podsMs;
	let readyAt: number | null = null;
	let endpoints = 0;
	let reported = '';
	for (;;) {
		const state = await pendingInApi(objects, session, target);
		if (!state) return null;
		if (state.podsReady) readyAt ??= Date.now();
		if (state.pending.length === 0) {
			endpoints = state.endpoints;
			break;
		}
		if (Date.now() > (readyAt === null ? podsBy : readyAt + timeouts.routesMs)) return state.pending.join('; ');
		const what = state.pending.join(', ');
		if (what !== reported) logger.debug('session', `${plan.label}: waiting for ${what}`);
		reported = what;
		report(`${plan.label}: ${what}`, 60);
		await changes.next(REREAD_MS);
	}
	const [where, missing] = await Promise.all([probeAddress(objects, plan), restorerMissing(objects, session, plan.namespace)]);
	if ('skip' in where) {
		logger.info('session', `not waiting for the cluster's proxy to route to the original pods of ${plan.label}`, { reason: where.skip });
		return null;
	}
	if (missing) return missing;
	report(`${plan.label}: waiting for the cluster's proxy to route to the original pods`, 80);
	const probing = Date.now();
	const tally = await probeUntilInARow({
		...where, needed: probesInARow(endpoints), probe: (host, port, patienceMs) => probeOriginals(routing, plan.namespace, host, port, patienceMs),
	}, (readyAt ?? probing) + timeouts.routesMs, UNCANCELLED, logger);
	const fields = {
		target: plan.label, clusterIP: where.host, ms: Date.now() - started, readyMs: (readyAt ?? probing) - started, probeMs: Date.now() - probing,
		probes: tally.sent, misses: tally.misses,
	};
	if (!tally.confirmed) {
		logger.info('session', 'the cluster\'s proxy was not seen routing to the original pods', { ...fields, lastMiss: tally.lastMiss });
		return `the cluster's proxy was not seen routing to the original pods only (${tally.lastMiss})`;
	}
	logger.info('session', 'the cluster\'s proxy routes to the original pods', fields);
	return null;
}

/**
 * After the workloads are written back: per target, until every original pod is Ready,
 * no agent pod of the session is left, the Service's EndpointSlices list only originals,
 * and its cluster IP, dialled from the restorer as any pod calls it, reaches originals
 * only. The API server says the first three; each node's proxy follows a moment later,
 * and until then a caller may be sent to an agent pod that is gone and hang. Past the
 * bounds, disconnect goes on: what is still stale is reported and returned.
 */
export async function waitForOriginalRoutes(targets: RestoredTarget[], routing: OriginalRouting, report: Report, logger: Logger,
	timeouts: Timeouts = { podsMs: PODS_TIMEOUT_MS, routesMs: ROUTES_TIMEOUT_MS }): Promise<StaleRoute[]> {
	const changes = new ChangeSignal(routing.objects, [...new Set(targets.map((t) => t.ref.namespace))].flatMap((namespace) => [
		{ apiVersion: 'v1', kind: 'Pod', namespace }, { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', namespace },
	]));
	try {
		// Every target at once: each waits for its own pods and proxy rules, none for another's.
		const reasons = await Promise.all(targets.map((target) => untilOriginalsServe(routing, target, timeouts, changes, report, logger)));
		const stale: StaleRoute[] = [];
		targets.forEach((target, i) => {
			const reason = reasons[i];
			if (!reason) return;
			stale.push({ target: target.plan.label, reason });
			logger.warning('session', 'disconnecting with routes still stale', { target: target.plan.label, reason });
			report(`${target.plan.label}: ${reason}; some callers may still be sent to a pod that is gone for a moment`, 90);
		});
		return stale;
	} finally {
		changes.close();
	}
}
