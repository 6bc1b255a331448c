import type { ResolvedEnvVar } from './env-types.js';

export const MASK = '****';

/** The variables with secret values replaced by `****`, unless `reveal` asks for them. */
export function maskSecrets<T extends Pick<ResolvedEnvVar, 'value' | 'secret'>>(vars: readonly T[], reveal = false): T[] {
	return reveal ? [...vars] : vars.map((variable) => (variable.secret ? { ...variable, value: MASK } : variable));
}
