import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { agentScriptConfigMap } from '../../agent/src/contract/contract.js';

/** The agent's bundled script, put in by the packaged executable's build (scripts/build-executable.mjs). */
declare const KUBEBRIDGE_AGENT_SCRIPT: string | undefined;

/** The agent as one script a stock Node image runs, and the ConfigMap that carries it into a namespace. */
export interface AgentScript {
	/** Named by the content, so every session of one build shares one ConfigMap and another build never reuses it. */
	configMap: string;
	sha256: string;
	text: string;
}

/** The ConfigMap's key, and so the file name under its mount. */
export const AGENT_SCRIPT_KEY = 'agent.cjs';

export function describeScript(text: string): AgentScript {
	const sha256 = createHash('sha256').update(text).digest('hex');
	return { configMap: agentScriptConfigMap(sha256), sha256, text };
}

let loaded: AgentScript | null = null;

/**
 * The script of this build: embedded in the packaged executable; compiled code (the tests)
 * reads the bundle `npm run compile` wrote beside it (out/agent/agent.cjs).
 */
export function agentScript(): AgentScript {
	loaded ??= describeScript(typeof KUBEBRIDGE_AGENT_SCRIPT === 'string'
		? KUBEBRIDGE_AGENT_SCRIPT
		: readFileSync(new URL('../../agent/agent.cjs', import.meta.url), 'utf8'));
	return loaded;
}
