/**
 * Where a variable's value came from, as the kubelet would have found it; `session`: added by
 * a feature of the connected session (e.g. the root of the mounted files' copy); `config`:
 * kubebridge.yaml's `env`.
 */
export type EnvSourceKind = 'literal' | 'configMap' | 'secret' | 'field' | 'resource' | 'service' | 'envFrom' | 'session' | 'config';

/** The object a `configMap`, `secret` or `envFrom` value was read from. */
export interface EnvObjectRef {
	kind: 'ConfigMap' | 'Secret';
	name: string;
	key: string;
}

/** One variable of the container's environment. */
export interface ResolvedEnvVar {
	name: string;
	value: string;
	source: EnvSourceKind;
	/**
	 * True when the value is or contains a Secret's data (a `secretKeyRef`, an `envFrom`
	 * Secret, or a literal whose `$(VAR)` expansion pulled one in): mask it when shown.
	 */
	secret: boolean;
	/** For `configMap`, `secret` and `envFrom`: the object and key read. */
	ref?: EnvObjectRef;
	/** For `field` and `resource`: the field path or resource name, e.g. `status.podIP`. */
	field?: string;
	/** For `service`: the Service the variable describes. */
	service?: string;
}

/** Why an entry the pod spec names did not become a variable. */
export type SkipReason =
	/** An `envFrom` key that is not a C identifier, on a kubelet that still skips those (before 1.30). */
	| 'invalidName'
	/** An optional ConfigMap, Secret or key that does not exist. */
	| 'optionalMissing';

export interface SkippedEnv {
	/** The variable that was not set (for `envFrom`, the prefixed key); null for a whole missing `envFrom` source. */
	name: string | null;
	reason: SkipReason;
	ref: EnvObjectRef | { kind: 'ConfigMap' | 'Secret'; name: string };
}

export interface ContainerEnvironment {
	/** Every variable, `env`/`envFrom` ones in the order first defined, then the service variables. */
	vars: ResolvedEnvVar[];
	/** What the kubelet would have left out, so nothing is dropped silently. */
	skipped: SkippedEnv[];
}
