import type { TokenLookups } from '../config/config-tokens.js';
import type { LocalServiceEndpoint } from '../environment/env-resolver.js';

/** The target of a session an environment is handed over for. */
export interface SessionTarget {
	/** Its index in the session's targets. */
	index: number;
	namespace: string;
	container: string;
}

/**
 * What one feature of a connected session (copied files, outbound access, …) adds to the
 * environment handed to the local program. Features register one when they are set up
 * (`Session.contributeEnvironment`); `environment/get`, `environment/export`,
 * `kubebridge run` and the tokens of `kubebridge.yaml` all read them through here, so a
 * feature plugs in once and every hand-over sees it.
 */
export interface EnvironmentContribution {
	/** Variables to add or override for a target, e.g. the folder of the copied files. */
	vars?(target: SessionTarget): Record<string, string>;
	/** Services of a namespace reached locally: their service variables are rewritten (and listed). */
	localServices?(namespace: string): ReadonlyMap<string, LocalServiceEndpoint>;
	/** Answers `$(services:…)`. */
	service?(name: string, namespace: string | undefined, target: SessionTarget): string | undefined;
	/** Answers `$(volumeMounts:…)`. */
	volumeMount?(name: string, target: SessionTarget): string | undefined;
	/** Answers `$(externalEndpoints:…)`. */
	externalEndpoint?(host: string, port: number, target: SessionTarget): string | undefined;
}

/** The session's side of one target's environment: what its features add and answer. */
export interface TargetEnvironment {
	vars: Record<string, string>;
	localServices: ReadonlyMap<string, LocalServiceEndpoint> | null;
	/** Token lookups; one that no feature offers is absent, so its tokens say what is missing. */
	lookups: Omit<TokenLookups, 'variable'>;
}

/** Merges the contributions for one target; a later contribution wins over an earlier one. */
export function targetEnvironment(contributions: readonly EnvironmentContribution[], target: SessionTarget): TargetEnvironment {
	const vars = Object.assign({}, ...contributions.map((c) => c.vars?.(target) ?? {})) as Record<string, string>;
	const services = contributions.flatMap((c) => (c.localServices ? [...c.localServices(target.namespace)] : []));
	const offered = <K extends 'service' | 'volumeMount' | 'externalEndpoint'>(key: K) => contributions.filter((c) => c[key]).map((c) => c[key]!);
	const serviceLookups = offered('service');
	const mounts = offered('volumeMount');
	const endpoints = offered('externalEndpoint');
	const lookups: TargetEnvironment['lookups'] = {
		...(serviceLookups.length ? { service: (name: string, namespace: string | undefined) => pick(serviceLookups.map((f) => f(name, namespace, target))) } : {}),
		...(mounts.length ? { volumeMount: (name: string) => pick(mounts.map((f) => f(name, target))) } : {}),
		...(endpoints.length ? { externalEndpoint: (host: string, port: number) => pick(endpoints.map((f) => f(host, port, target))) } : {}),
	};
	return { vars, localServices: services.length ? new Map(services) : null, lookups };
}

const pick = (answers: (string | undefined)[]): string | undefined => answers.find((a) => a !== undefined);

/** The environment of a target no session holds: nothing added, no feature to answer tokens. */
export const NO_SESSION_ENVIRONMENT: TargetEnvironment = { vars: {}, localServices: null, lookups: {} };
