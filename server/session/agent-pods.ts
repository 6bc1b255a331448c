import { setTimeout as sleep } from 'node:timers/promises';
import { AGENT_ENV, AGENT_PATHS, LABELS } from '../../agent/src/contract/contract.js';
import type { AgentStatus, DidChangeStateParams } from '../../protocol/index.js';
import type { ClusterAccess } from '../cluster/cluster-access.js';
import { ChangeSignal } from '../cluster/change-signal.js';
import { PodStreams } from '../cluster/pod-streams.js';
import type { KubeObject } from '../cluster/object-store.js';
import type { PodLogs } from './pod-logs.js';
import type { Logger } from '../log/logger.js';
import { postToAgent, type AgentAddress } from '../tunnel/agent-exchange.js';
import { AgentLink, type LinkState } from '../tunnel/agent-link.js';
import type { ProbeCatcher } from '../tunnel/route-probes.js';
import type { TargetPlan } from '../targets/target-plan.js';
import { isReady } from '../targets/workload-pods.js';

/** Listings never come closer together than this, however busy the watch is. */
const POLL_MS = 1000;
/**
 * With the watch live a change wakes the listing at once; this is the listing that would
 * catch what a watch can miss (a stream dropped between events). Without the `watch`
 * verb the pods are listed every `POLL_MS`.
 */
const WATCHED_POLL_MS = 30_000;
const ARM_MS = 10_000;

export type SessionEvent = Omit<DidChangeStateParams, 'sessionId'>;

/** An env var of the agent container, as its pod spec sets it. */
function agentEnv(pod: KubeObject, container: string, name: string): string | undefined {
	const env = pod.spec?.containers?.find((c: { name: string }) => c.name === container)?.env ?? [];
	return env.find((e: { name: string }) => e.name === name)?.value;
}

/** The control port an agent pod listens on, from its own env. */
function controlPortOf(pod: KubeObject, container: string): number | null {
	const value = agentEnv(pod, container, AGENT_ENV.controlPort);
	return value ? Number(value) : null;
}

/**
 * Follows the session's agent pods: a link for every ready one (replicas a rollout or an
 * autoscaler adds are connected too), and none for pods that went. A watch of the
 * session's pods wakes the listing; the listing itself decides, and runs at a period of its
 * own too, so that a dropped watch cannot leave a pod unnoticed. Once armed, agents that mirror their
 * container's readiness follow the local program, and every one that serves later is
 * armed too.
 */
export class AgentPods {
	/** `mirrors`: the pod's agent can mirror the replaced container's readiness probe. */
	private readonly links = new Map<string, { link: AgentLink; namespace: string; index: number; mirrors: boolean }>();
	private readinessArmed = false;
	private changes: ChangeSignal | null = null;
	/** The listing in flight, and one more asked for meanwhile (it must see what changed since the first began). */
	private listing: Promise<void> | null = null;
	private queued: Promise<void> | null = null;
	/** Local ports refusing callers right now, across every agent pod: the client is told once. */
	private readonly refusing = new Set<number>();
	private turn = 0;
	/** A listing still in flight when the session stops must not add links or tell the client about pods. */
	private stopped = false;
	/** The links' tunnels: a port-forward session each, closed with the session. */
	private readonly tunnels: PodStreams;

	constructor(
		private readonly cluster: ClusterAccess,
		private readonly session: string,
		private readonly token: string,
		private readonly plans: TargetPlan[],
		private readonly emit: (event: SessionEvent) => void,
		private readonly logger: Logger,
		private readonly logs: PodLogs,
		private readonly probes: ProbeCatcher,
	) {
		this.tunnels = PodStreams.over(cluster.endpoint);
	}

	start(): Promise<void> {
		const namespaces = [...new Set(this.plans.map((p) => p.namespace))];
		const changes = new ChangeSignal(this.cluster.objects, namespaces.map((namespace) => (
			{ apiVersion: 'v1', kind: 'Pod', namespace, labelSelector: `${LABELS.session}=${this.session}` })));
		this.changes = changes;
		const first = this.poll();
		void first.then(() => this.follow(changes));
		return first;
	}

	/** A listing after each change the watch tells of, at most one a second, and at least one per period. */
	private async follow(changes: ChangeSignal): Promise<void> {
		while (!this.stopped) {
			await sleep(POLL_MS, undefined, { ref: false });
			await changes.next(changes.watching ? WATCHED_POLL_MS : 0);
			if (this.stopped) return;
			await this.poll();
		}
	}

	/** Lists the agent pods now rather than at the next period: connect links each agent the moment it is ready. */
	refresh(): Promise<void> {
		return this.poll();
	}

	stop(): void {
		this.stopped = true;
		this.changes?.close();
		for (const { link } of this.links.values()) link.stop();
		this.links.clear();
		this.tunnels.close();
	}

	/**
	 * From now on the mirroring agents' readiness follows the local program: connect is
	 * done, so no wait for ready agents can be held up by a program not started yet.
	 */
	async armReadiness(): Promise<void> {
		this.readinessArmed = true;
		await Promise.all([...this.links.values()]
			.filter(({ link, mirrors }) => mirrors && link.stats().state === 'serving')
			.map(({ link }) => this.arm(link)));
	}

	/** Each time a link serves, also after it reconnected: the agent disarmed when the link dropped. */
	private async arm(link: AgentLink): Promise<void> {
		try {
			await postToAgent(this.cluster.endpoint, link.address, AGENT_PATHS.armReadiness, AbortSignal.timeout(ARM_MS));
			this.logger.info('session', `agent ${link.pod}: readiness follows the local program`);
		} catch (error) {
			this.logger.warning('session', `agent ${link.pod}: arming its readiness failed; it stays the agent's own until the link serves again`,
				{ error: (error as Error).message });
		}
	}

	statuses(): AgentStatus[] {
		return [...this.links.values()].map(({ link, namespace }) => ({ namespace, ...link.stats() }));
	}

	/** Whether each of `pods`, agent pods of target `index`, has a link that serves. */
	serves(index: number, pods: string[]): boolean {
		const serving = new Set([...this.links.values()].filter((entry) => entry.index === index && entry.link.stats().state === 'serving').map(({ link }) => link.pod));
		return pods.every((pod) => serving.has(pod));
	}

	/** An agent to dial the cluster through for outbound connections: the serving ones in turn. */
	dialAgent(): AgentAddress | null {
		const serving = [...this.links.values()].filter(({ link }) => link.stats().state === 'serving');
		if (serving.length === 0) return null;
		return serving[this.turn++ % serving.length]!.link.address;
	}

	/** A serving agent pod of target `index`, `preferred` when it still serves, else the first by name. */
	address(index: number, preferred?: string): AgentAddress | null {
		const serving = [...this.links.values()]
			.filter((entry) => entry.index === index && entry.link.stats().state === 'serving')
			.map(({ link }) => link.address)
			.sort((a, b) => a.pod.localeCompare(b.pod));
		return serving.find((agent) => agent.pod === preferred) ?? serving[0] ?? null;
	}

	/** The pods whose links serve, per target index. */
	serving(): Map<number, string[]> {
		const result = new Map<number, string[]>();
		for (const { link, index } of this.links.values()) {
			if (link.stats().state !== 'serving') continue;
			result.set(index, [...(result.get(index) ?? []), link.pod]);
		}
		return result;
	}

	private poll(): Promise<void> {
		if (this.listing) {
			this.queued ??= this.listing.then(() => {
				this.queued = null;
				return this.poll();
			});
			return this.queued;
		}
		this.listing = this.list().finally(() => { this.listing = null; });
		return this.listing;
	}

	private async list(): Promise<void> {
		try {
			const namespaces = [...new Set(this.plans.map((p) => p.namespace))];
			const pods = (await Promise.all(namespaces.map((ns) => this.cluster.objects.list('v1', 'Pod', ns, `${LABELS.session}=${this.session}`)))).flat();
			if (this.stopped) return;
			const seen = new Set<string>();
			// Pods that went are told before the ones that came in the same listing: a replacement follows its victim.
			const added: (() => void)[] = [];
			for (const pod of pods.filter((p) => !p.metadata.deletionTimestamp)) {
				const index = Number(pod.metadata.labels?.[LABELS.target]);
				const plan = this.plans[index];
				if (!plan) continue;
				const key = `${index}/${pod.metadata.namespace}/${pod.metadata.name}`;
				const linked = this.links.get(key);
				// An armed agent is unready while the local program is; its link is what keeps it armed.
				if (isReady(pod) || linked?.mirrors) seen.add(key);
				if (!linked && isReady(pod)) added.push(() => this.add(key, index, plan, pod));
			}
			for (const [key, { link }] of this.links) {
				if (seen.has(key)) continue;
				link.stop();
				this.links.delete(key);
				this.logs.letGo(key.split('/')[1]!, link.pod);
				this.emit({ change: 'agentRemoved', pod: link.pod, message: `Agent pod ${link.pod} is gone.` });
			}
			for (const add of added) add();
		} catch (error) {
			this.logger.warning('session', 'listing agent pods failed; retrying', { error: (error as Error).message });
		}
	}

	private add(key: string, index: number, plan: TargetPlan, pod: KubeObject): void {
		const controlPort = controlPortOf(pod, plan.container);
		if (!controlPort) return;
		const mirrors = agentEnv(pod, plan.container, AGENT_ENV.readiness) !== undefined;
		const link: AgentLink = new AgentLink(this.cluster.endpoint, this.tunnels,
			{ namespace: pod.metadata.namespace!, pod: pod.metadata.name, controlPort, token: this.token }, plan.ports, {
				stateChanged: (name: string, state: LinkState, detail: string) => {
					if (state === 'serving') this.emit({ change: 'agentServing', pod: name, message: `Agent pod ${name} is serving: ${detail}.` });
					if (state === 'serving' && mirrors && this.readinessArmed) void this.arm(link);
					if (state === 'reconnecting') this.emit({ change: 'agentReconnecting', pod: name, message: `Reconnecting to agent pod ${name}: ${detail}.` });
				},
				localRefused: (localPort: number, remotePort: number) => {
					if (this.refusing.has(localPort)) return;
					this.refusing.add(localPort);
					this.emit({
						change: 'localPortRefused', pod: pod.metadata.name, localPort,
						message: `A caller reached port ${remotePort} of ${plan.label}, but nothing listens on localhost:${localPort}; start your process there. Callers are reset until then.`,
					});
				},
				localAccepted: (localPort: number) => { this.refusing.delete(localPort); },
			}, this.logger, this.probes, plan.udpPorts);
		this.links.set(key, { link, namespace: pod.metadata.namespace!, index, mirrors });
		this.logs.follow(pod.metadata.namespace!, pod.metadata.name, plan.container);
		this.emit({ change: 'agentAdded', pod: pod.metadata.name, message: `Agent pod ${pod.metadata.name} of ${plan.label} is ready.` });
		link.start();
	}
}
