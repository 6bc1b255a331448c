import { setTimeout as sleep } from 'node:timers/promises';
import type { ObjectStore } from '../cluster/object-store.js';
import type { Logger } from '../log/logger.js';
import type { Tunnel } from '../tunnel/agent-exchange.js';
import type { RouteProbes } from '../tunnel/route-probes.js';
import { throwIfCancelled, type Cancellation, type Work } from '../work.js';
import type { TargetPlan } from '../targets/target-plan.js';

/**
 * Probes in a row, per endpoint the proxy might still pick, that must all reach the
 * target's agents. The proxy picks endpoints at random, so stale rules that still hold one
 * original beside N agents pass one probe with odds N/(N+1); 6(N+1) in a row leave it a
 * chance below 0.3 % for any N.
 */
const PROBES_PER_ENDPOINT = 6;
const PARALLEL = 4;
/**
 * A dial to a pod that is gone can hang until the kernel gives up; a probe is a miss long
 * before. Stale rules to a deleted pod are what the wait is for, so such hangs are common
 * and every batch waits for its slowest probe: on the test cluster a wait with misses
 * took 3.5-3.8 s at 3 s, and 1.4 s at 1 s. A dial that is only slow counts as a miss and
 * is simply tried again.
 */
export const DIAL_MS = 1000;
/** From the dial to the marker at an agent link is one more round trip through the API server. */
const CATCH_MS = 1500;
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 1000;

/** How many probes in a row must reach where they should when the proxy may pick among `endpoints`. */
export const probesInARow = (endpoints: number): number => PROBES_PER_ENDPOINT * (endpoints + 1);

/** What the wait needs of the session. */
export interface RouteProbing {
	probes: RouteProbes;
	/** Dials `host:port` inside the cluster through one of the session's agents. */
	dial(host: string, port: number, signal: AbortSignal): Promise<Tunnel>;
	/** The serving agent pods of target `index`. */
	agentsOf(index: number): string[];
}

/** One probe: whether it reached where the wait wants, or why not. */
export interface ProbeOutcome { hit: boolean; why: string }

/** Where the probes of one target go, and how many in a row must hit. */
export interface ProbeRun {
	host: string;
	ports: number[];
	needed: number;
	probe(host: string, port: number): Promise<ProbeOutcome>;
}

export interface ProbeTally { confirmed: boolean; sent: number; misses: number; lastMiss: string }

/** The cluster IP and service ports to probe for a target, or why there is nothing to probe. */
export async function probeAddress(objects: ObjectStore, plan: TargetPlan): Promise<{ host: string; ports: number[] } | { skip: string }> {
	if (!plan.service) return { skip: `${plan.label} names a workload, not a service` };
	const service = await objects.read({ apiVersion: 'v1', kind: 'Service', namespace: plan.namespace, name: plan.service });
	const host = service?.spec?.clusterIP as string | undefined;
	if (!host || host === 'None') return { skip: `service ${plan.service} is headless: callers reach the pods without the proxy` };
	const ports = [...new Set(plan.servicePorts.values())];
	if (ports.length === 0) return { skip: `no TCP port of service ${plan.service} leads to the agent` };
	return { host, ports };
}

/** One probe of connect: the agent pod that caught it must be one of the target's. */
async function probeAgents(probing: RouteProbing, index: number, host: string, port: number): Promise<ProbeOutcome> {
	try {
		const tunnel = await probing.dial(host, port, AbortSignal.timeout(DIAL_MS));
		const pod = await probing.probes.send(tunnel, CATCH_MS);
		if (!pod) return { hit: false, why: `a connection to ${host}:${port} reached no agent` };
		if (!probing.agentsOf(index).includes(pod)) return { hit: false, why: `a connection reached agent pod ${pod} of another target` };
		return { hit: true, why: '' };
	} catch (error) {
		return { hit: false, why: `dialling ${host}:${port} failed: ${(error as Error).message}` };
	}
}

/**
 * Probes in batches until `run.needed` in a row hit, or `deadline` passes. A miss starts
 * the count again after a backoff: the proxy's rules are still catching up.
 */
export async function probeUntilInARow(run: ProbeRun, deadline: number, cancellation: Cancellation, logger: Logger): Promise<ProbeTally> {
	const tally: ProbeTally = { confirmed: false, sent: 0, misses: 0, lastMiss: '' };
	let streak = 0;
	let backoff = FIRST_BACKOFF_MS;
	while (streak < run.needed) {
		throwIfCancelled(cancellation);
		if (Date.now() > deadline) return tally;
		const batch = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => run.probe(run.host, run.ports[(tally.sent + i) % run.ports.length]!)));
		tally.sent += batch.length;
		const missed = batch.filter(({ hit }) => !hit);
		if (missed.length === 0) {
			streak += batch.length;
			backoff = FIRST_BACKOFF_MS;
			continue;
		}
		streak = 0;
		tally.misses += missed.length;
		tally.lastMiss = missed[0]!.why;
		logger.debug('session', `${missed.length} of ${batch.length} probes missed; retrying`, { lastMiss: tally.lastMiss });
		await sleep(backoff);
		backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
	}
	return { ...tally, confirmed: true };
}

/**
 * Until the node's proxy sends connections to each target's cluster IP to its agents: the
 * EndpointSlices say so first, the proxy's rules follow a moment later, and a caller in
 * between still reaches an original pod. Probes are dialled from the agents, as any pod
 * would call the service. Past `deadline` the session goes on with a warning: a cluster
 * whose policies keep the agents from calling their own service must still connect.
 */
export async function waitForProxyRoutes(plans: TargetPlan[], objects: ObjectStore, probing: RouteProbing, deadline: number,
	work: Work, logger: Logger): Promise<void> {
	for (const [index, plan] of plans.entries()) {
		const where = await probeAddress(objects, plan);
		if ('skip' in where) {
			logger.info('session', `not waiting for the cluster's proxy for ${plan.label}`, { reason: where.skip });
			continue;
		}
		work.progress.report(`${plan.label}: waiting for the cluster's proxy to route to the agents`, 92);
		const started = Date.now();
		const run: ProbeRun = { ...where, needed: probesInARow(probing.agentsOf(index).length), probe: (host, port) => probeAgents(probing, index, host, port) };
		const outcome = await probing.probes.watch(() => probeUntilInARow(run, deadline, work.cancellation, logger));
		const fields = { target: plan.label, clusterIP: where.host, ms: Date.now() - started, probes: outcome.sent, misses: outcome.misses };
		if (outcome.confirmed) {
			logger.info('session', 'the cluster\'s proxy routes to the agents', fields);
			continue;
		}
		logger.warning('session', 'the cluster\'s proxy was not seen routing to the agents; connecting anyway', { ...fields, lastMiss: outcome.lastMiss });
		work.progress.report(`${plan.label}: the cluster's proxy was not seen routing to the agents (${outcome.lastMiss}); some callers may still reach an original pod`, 93);
	}
}
