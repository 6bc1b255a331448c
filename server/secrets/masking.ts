export const MASK = '****';

/** A value that may hold a Secret's data: an env var as resolved, or anything shaped like one. */
export interface MaybeSecret {
	value: string;
	/** True when the value is or contains a Secret's data. */
	secret: boolean;
}

/** The variables with secret values replaced by `****`, unless `reveal` asks for them. */
export function maskSecrets<T extends MaybeSecret>(vars: readonly T[], reveal = false): T[] {
	return reveal ? [...vars] : vars.map((variable) => (variable.secret ? { ...variable, value: MASK } : variable));
}
