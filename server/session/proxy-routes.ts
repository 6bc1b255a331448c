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
/**
 * Probes sent at once. The proxy picks an endpoint for each new connection on its own, so
 * probes sent together are as independent as probes sent one after another: a whole row
 * in one batch costs one dial's time instead of several. The row of one replica (12)
 * fits in one batch; 20 replicas need 126 probes, which batches of 8 took 7 s to send on
 * the test cluster with not one miss (bench:scale).
 */
const MAX_PARALLEL = 32;
/**
 * How long one probe step (the dial, then the marker's way back) may take before the probe
 * counts as a miss. A dial to a pod that is gone hangs until the kernel gives up, and stale
 * rules to a deleted pod are what the wait is for, so such hangs are common and every batch
 * waits for its slowest probe. The bound is learned from the hits: three times the slowest
 * one so far, never below `MIN_PATIENCE_MS`; a batch with no hit at all makes it half as
 * long again (a slow machine must not make every probe a miss), up to `MAX_PATIENCE_MS`.
 * On the test cluster a hit takes 20-150 ms, and a fixed 1 s bound made each round of
 * misses cost a second.
 */
const FIRST_PATIENCE_MS = 300;
/** Opening a forward for a probe is not part of its patience; only a forward that never opens fails it. */
export const FORWARD_MS = 10_000;
const MIN_PATIENCE_MS = 250;
export const MAX_PATIENCE_MS = 1500;
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 200;

/** How many probes in a row must reach where they should when the proxy may pick among `endpoints`. */
export const probesInARow = (endpoints: number): number => PROBES_PER_ENDPOINT * (endpoints + 1);

/** What the wait needs of the session. */
export interface RouteProbing {
	probes: RouteProbes;
	/** Dials `host:port` inside the cluster through one of the session's agents; `dialMs` bounds the dial once a forward is open. */
	dial(host: string, port: number, signal: AbortSignal, dialMs: number): Promise<Tunnel>;
	/** The serving agent pods of target `index`. */
	agentsOf(index: number): string[];
	/** Whether target `index` shares its service through a router, which waits for the proxy its own way. */
	elsewhere?(index: number): boolean;
}

/** One probe: whether it reached where the wait wants, or why not; `ms`, how long it took. */
export interface ProbeOutcome { hit: boolean; why: string; ms?: number }

/** Where the probes of one target go, and how many in a row must hit. */
export interface ProbeRun {
	host: string;
	ports: number[];
	needed: number;
	/** `patienceMs`: how long each step of the probe may take before it is a miss. */
	probe(host: string, port: number, patienceMs: number): Promise<ProbeOutcome>;
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
async function probeAgents(probing: RouteProbing, index: number, host: string, port: number, patienceMs: number): Promise<ProbeOutcome> {
	const started = Date.now();
	try {
		const tunnel = await probing.dial(host, port, AbortSignal.timeout(FORWARD_MS), patienceMs);
		// From the dial to the marker at an agent link is one more round trip through the API server.
		const pod = await probing.probes.send(tunnel, patienceMs);
		if (!pod) return { hit: false, why: `a connection to ${host}:${port} reached no agent within ${patienceMs} ms` };
		if (!probing.agentsOf(index).includes(pod)) return { hit: false, why: `a connection reached agent pod ${pod} of another target` };
		return { hit: true, why: '', ms: Date.now() - started };
	} catch (error) {
		probing.probes.expectLate();
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
	let patience = FIRST_PATIENCE_MS;
	while (streak < run.needed) {
		throwIfCancelled(cancellation);
		if (Date.now() > deadline) return tally;
		const batch = await Promise.all(Array.from({ length: Math.min(run.needed, MAX_PARALLEL) },
			(_, i) => run.probe(run.host, run.ports[(tally.sent + i) % run.ports.length]!, patience)));
		tally.sent += batch.length;
		const slowestHit = Math.max(0, ...batch.filter(({ hit }) => hit).map(({ ms }) => ms ?? MAX_PATIENCE_MS / 3));
		patience = slowestHit > 0 ? Math.min(MAX_PATIENCE_MS, Math.max(MIN_PATIENCE_MS, 3 * slowestHit)) : Math.min(MAX_PATIENCE_MS, Math.round(1.5 * patience));
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
 * Until the node's proxy sends connections to the target's cluster IP to its agents: the
 * EndpointSlices say so first, the proxy's rules follow a moment later, and a caller in
 * between still reaches an original pod. Probes are dialled from the agents, as any pod
 * would call the service. Past `deadline` the session goes on with a warning: a cluster
 * whose policies keep the agents from calling their own service must still connect.
 * Each target waits on its own, as soon as its agents serve.
 */
export async function waitForProxyRoute(index: number, plan: TargetPlan, objects: ObjectStore, probing: RouteProbing, deadline: number,
	work: Work, logger: Logger): Promise<void> {
	if (probing.elsewhere?.(index)) return;
	const where = await probeAddress(objects, plan);
	if ('skip' in where) {
		logger.info('session', `not waiting for the cluster's proxy for ${plan.label}`, { reason: where.skip });
		return;
	}
	work.progress.report(`${plan.label}: waiting for the cluster's proxy to route to the agents`, 92);
	const started = Date.now();
	const run: ProbeRun = {
		...where, needed: probesInARow(probing.agentsOf(index).length), probe: (host, port, patienceMs) => probeAgents(probing, index, host, port, patienceMs),
	};
	const outcome = await probing.probes.watch(() => probeUntilInARow(run, deadline, work.cancellation, logger));
	const fields = { target: plan.label, clusterIP: where.host, ms: Date.now() - started, probes: outcome.sent, misses: outcome.misses };
	if (outcome.confirmed) {
		logger.info('session', 'the cluster\'s proxy routes to the agents', fields);
		return;
	}
	logger.warning('session', 'the cluster\'s proxy was not seen routing to the agents; connecting anyway', { ...fields, lastMiss: outcome.lastMiss });
	work.progress.report(`${plan.label}: the cluster's proxy was not seen routing to the agents (${outcome.lastMiss}); some callers may still reach an original pod`, 93);
}
