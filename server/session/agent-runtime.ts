import { AGENT_SCRIPT_KEY, agentScript, type AgentScript } from './agent-script.js';

/** A stock public Node image, multi-arch: the agent's script comes with the session. */
export const DEFAULT_AGENT_BASE_IMAGE = 'node:24-slim';

/** Where Node is in the official Node images, and so in a base image that mirrors them. */
const NODE = '/usr/local/bin/node';

/** The program inside a full agent image (agent/Dockerfile). */
const IMAGE_AGENT_COMMAND = [NODE, '/agent/agent.cjs'];

/** What one source of settings (the request, a flag, an env var, kubebridge.yaml) says about the agent's image. */
export interface AgentImageChoice {
	/** A full agent image that carries its own script (built from agent/Dockerfile). */
	image?: string | undefined;
	/** A Node image to run the sidecar's script on (a mirror of the default). */
	baseImage?: string | undefined;
}

/** How the agents and the restorer run: the image, and the script delivered beside it unless the image has its own. */
export interface AgentRuntime {
	image: string;
	script: AgentScript | null;
}

export const agentImageFromEnv = (env: NodeJS.ProcessEnv): AgentImageChoice =>
	({ image: env.KUBEBRIDGE_AGENT_IMAGE || undefined, baseImage: env.KUBEBRIDGE_AGENT_BASE_IMAGE || undefined });

/**
 * The first source, most specific first, that names an image decides; within one source a
 * full image wins over a base image. None does: the script on the default base image.
 */
export function chooseAgentRuntime(sources: (AgentImageChoice | undefined)[], script: () => AgentScript = agentScript): AgentRuntime {
	for (const source of sources) {
		if (source?.image) return { image: source.image, script: null };
		if (source?.baseImage) return { image: source.baseImage, script: script() };
	}
	return { image: DEFAULT_AGENT_BASE_IMAGE, script: script() };
}

interface Named { name: string }
interface Mounted { mountPath: string }

/** The first of `base`, `base-1`, `base-2`, … that `taken` says is free. */
function freeName(base: string, taken: (candidate: string) => boolean): string {
	let candidate = base;
	for (let i = 1; taken(candidate); i++) candidate = `${base}-${i}`;
	return candidate;
}

/** A mount at the same path or below it would clash (a mount point cannot be made in a read-only ConfigMap volume); one above it nests ours. */
const clashes = (mountPath: string, ours: string) => {
	const path = mountPath.replace(/\/+$/, '');
	return path === ours || path.startsWith(`${ours}/`);
};

/** How a container starts the agent: its command, and with a delivered script the volume and mount that bring it. */
export interface AgentLaunch {
	command: string[];
	volume: { name: string; configMap: { name: string } } | null;
	mount: { name: string; mountPath: string; readOnly: true } | null;
}

/**
 * The command and, for a delivered script, its ConfigMap volume and read-only mount, named
 * and placed where none of the pod's volumes and none of the container's mounts are.
 */
export function agentLaunch(runtime: AgentRuntime, volumes: Named[], mounts: Mounted[]): AgentLaunch {
	if (!runtime.script) return { command: IMAGE_AGENT_COMMAND, volume: null, mount: null };
	const name = freeName('kubebridge-agent', (n) => volumes.some((v) => v.name === n));
	const mountPath = freeName('/kubebridge-agent', (p) => mounts.some((m) => clashes(m.mountPath, p)));
	return {
		command: [NODE, `${mountPath}/${AGENT_SCRIPT_KEY}`],
		volume: { name, configMap: { name: runtime.script.configMap } },
		mount: { name, mountPath, readOnly: true },
	};
}
