import { AGENT_ENV, AGENT_PATHS, DEFAULT_CONTROL_PORT, DEFAULT_HEALTH_PORT, LABELS } from '../../agent/src/contract/contract.js';
import { agentLaunch, type AgentRuntime } from './agent-runtime.js';
import type { ReadinessMirror } from '../targets/readiness-mirror.js';

/** The user a stock Node image's agent runs as when the pod names none (the image's own is root). */
export const AGENT_USER = 65532;

export interface AgentSettings {
	/** The image, and the script delivered beside it unless the image has its own. */
	runtime: AgentRuntime;
	session: string;
	tokenHash: string;
	/** Which target of the session the pods serve, so the sidecar maps their ports. */
	targetIndex: number;
	/** The readiness probe the agent mirrors once armed (`features.probes`); absent, readiness is the agent's own. */
	readiness?: ReadinessMirror | null;
	/** The UDP ports the agent takes; absent, none. */
	udpPorts?: number[];
}

interface SecurityContext {
	runAsUser?: number;
	runAsGroup?: number;
	[key: string]: unknown;
}

interface Container {
	name: string;
	ports?: { containerPort: number; protocol?: string }[];
	env?: { name: string; value?: string; valueFrom?: unknown }[];
	volumeMounts?: { name: string; mountPath: string; [key: string]: unknown }[];
	securityContext?: SecurityContext;
	[key: string]: unknown;
}

export interface PodTemplate {
	metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
	spec: { containers: Container[]; volumes?: { name: string; [key: string]: unknown }[]; securityContext?: SecurityContext; [key: string]: unknown };
}

/** A port no container of the pod uses: the pod's containers share one network. */
function freePort(preferred: number, taken: Set<number>): number {
	let port = preferred;
	while (taken.has(port)) port++;
	taken.add(port);
	return port;
}

/**
 * The container's security context with a non-root user where neither it nor the pod names
 * one: a stock Node image runs as root, which `runAsNonRoot` refuses and which the agent
 * does not need. A user the workload names stays, as the image's own would for its program.
 */
function withAgentUser(container: SecurityContext | undefined, pod: SecurityContext | undefined): SecurityContext | undefined {
	if (container?.runAsUser !== undefined || pod?.runAsUser !== undefined) return container;
	const group = container?.runAsGroup !== undefined || pod?.runAsGroup !== undefined ? {} : { runAsGroup: AGENT_USER };
	return { ...container, runAsUser: AGENT_USER, ...group };
}

/**
 * The pod template with the agent in place of `container`. Only what makes it the agent
 * changes: image, command, args, probes (the agent answers them, so the pod stays Ready
 * while the developer sits on a breakpoint; with `settings.readiness`, readiness follows
 * the local program once the sidecar arms it, liveness never does), lifecycle hooks and
 * working dir (the app's would not exist in the agent's image). On a stock Node image the
 * script comes in one more volume and read-only mount (names the pod does not use), and
 * the container gets a non-root user when the pod names none. Every other container, the
 * volumes and mounts, the service account, env and the rest of the security context stay
 * as they were.
 */
export function agentTemplate(original: PodTemplate, container: string, agentPorts: number[], settings: AgentSettings): PodTemplate {
	const template = structuredClone(original);
	const taken = new Set(template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.containerPort)));
	[...agentPorts, ...settings.udpPorts ?? []].forEach((p) => taken.add(p));
	const controlPort = freePort(DEFAULT_CONTROL_PORT, taken);
	const healthPort = freePort(DEFAULT_HEALTH_PORT, taken);
	const target = template.spec.containers.find((c) => c.name === container);
	if (!target) throw new Error(`container ${container} is not in the template`);
	const ours: Record<string, string> = {
		[AGENT_ENV.ports]: agentPorts.join(','),
		...(settings.udpPorts?.length ? { [AGENT_ENV.udpPorts]: settings.udpPorts.join(',') } : {}),
		[AGENT_ENV.controlPort]: String(controlPort),
		[AGENT_ENV.healthPort]: String(healthPort),
		[AGENT_ENV.tokenHash]: settings.tokenHash,
		[AGENT_ENV.session]: settings.session,
	};
	const mirror = settings.readiness ?? null;
	if (mirror) ours[AGENT_ENV.readiness] = JSON.stringify(mirror.probe);
	const probe = (path: string, periodSeconds: number, failureThreshold: number, timeoutSeconds = 1, successThreshold = 1) => ({
		httpGet: { path, port: healthPort, scheme: 'HTTP' }, periodSeconds, failureThreshold, timeoutSeconds, successThreshold,
	});
	// Past the mirrored probe's own timeout, so the agent's 503 arrives before the kubelet gives up.
	const readinessProbe = mirror
		? probe(AGENT_PATHS.ready, mirror.periodSeconds, mirror.failureThreshold, mirror.probe.timeoutSeconds + 1, mirror.successThreshold)
		: probe(AGENT_PATHS.health, 1, 3);
	const launch = agentLaunch(settings.runtime, template.spec.volumes ?? [], target.volumeMounts ?? []);
	if (launch.volume && launch.mount) {
		template.spec.volumes = [...template.spec.volumes ?? [], launch.volume];
		target.volumeMounts = [...target.volumeMounts ?? [], launch.mount];
		const securityContext = withAgentUser(target.securityContext, template.spec.securityContext);
		if (securityContext) target.securityContext = securityContext;
	}
	Object.assign(target, {
		image: settings.runtime.image,
		imagePullPolicy: 'IfNotPresent',
		command: launch.command,
		env: [...(target.env ?? []).filter((e) => !(e.name in ours)), ...Object.entries(ours).map(([name, value]) => ({ name, value }))],
		readinessProbe,
		livenessProbe: probe(AGENT_PATHS.health, 10, 3),
	});
	for (const key of ['args', 'startupProbe', 'lifecycle', 'workingDir'] as const) delete target[key];
	template.metadata = {
		...template.metadata,
		labels: { ...template.metadata?.labels, [LABELS.session]: settings.session, [LABELS.target]: String(settings.targetIndex) },
	};
	return template;
}
