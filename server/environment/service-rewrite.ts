import type { ContainerEnvironment } from './env-types.js';
import { resolveContainerEnvironment, type EnvironmentSources, type LocalServiceEndpoint } from './env-resolver.js';

/** One variable whose value differs from the pod's because a Service is reached locally. */
export interface EnvRewrite {
	name: string;
	/** The value the container in the cluster sees. */
	from: string;
	/** The value kubebridge hands over. */
	to: string;
}

/**
 * The environment with the service variables of the Services in `local` pointing at their
 * local endpoints, and every variable that changed because of it: the service variables
 * themselves (their names keep the Service's own ports, as the container sees them) and
 * the pod's own variables whose `$(VAR)` expansion used one. A variable the pod spec sets
 * outright keeps the pod's value. Nothing changes without appearing in `rewrites`.
 */
export function resolveWithLocalServices(sources: EnvironmentSources, local: ReadonlyMap<string, LocalServiceEndpoint>): {
	environment: ContainerEnvironment;
	rewrites: EnvRewrite[];
} {
	const remote = new Map(resolveContainerEnvironment({ ...sources, localServices: undefined }).vars.map((v) => [v.name, v.value]));
	const environment = resolveContainerEnvironment({ ...sources, localServices: local });
	const rewrites = environment.vars
		.filter((variable) => remote.get(variable.name) !== variable.value)
		.map((variable) => ({ name: variable.name, from: remote.get(variable.name) ?? '', to: variable.value }));
	return { environment, rewrites };
}
