import type { ConfigEnvVar } from '../config/config-tokens.js';
import type { ResolvedEnvVar } from './env-types.js';

/** The environment handed to the local program, and a note for each variable kubebridge set over the container's. */
export interface HandedEnvironment {
	vars: ResolvedEnvVar[];
	notes: string[];
}

/**
 * Layers the environment handed over: the container's variables, then those the session's
 * features add (`source: 'session'`), then the workspace file's `env` (`source: 'config'`),
 * each layer winning over the one before. A variable set over another keeps its place; a
 * config value that expands a secret variable is secret itself. Every override is noted,
 * so nothing replaces the container's value silently.
 */
export function layerEnvironment(container: readonly ResolvedEnvVar[], session: Readonly<Record<string, string>>,
	config: readonly ConfigEnvVar[], configFile: string | null): HandedEnvironment {
	const vars = new Map(container.map((v) => [v.name, v]));
	const notes: string[] = [];
	const set = (variable: ResolvedEnvVar, by: string): void => {
		const before = vars.get(variable.name);
		if (before) notes.push(`${by} sets ${variable.name} over the ${before.source === 'session' ? "session's" : "container's"} value (from ${before.source}).`);
		vars.set(variable.name, variable);
	};
	for (const [name, value] of Object.entries(session)) set({ name, value, source: 'session', secret: false }, 'The session');
	for (const { name, value, references } of config) {
		set({ name, value, source: 'config', secret: references.some((r) => vars.get(r)?.secret) }, configFile ?? 'The workspace configuration');
	}
	return { vars: [...vars.values()], notes };
}
