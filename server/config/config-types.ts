/** The workspace configuration, as `protocol/schemas/kubebridge.schema.json` describes it. */
export interface KubebridgeConfig {
	version: 1;
	targets?: ConfigTarget[];
	launch?: { command: string | string[]; cwd?: string };
	/** Env vars to add or override; values may hold tokens (see `config-tokens.ts`). */
	env?: Record<string, string>;
	features?: ConfigFeatures;
}

export interface ConfigTarget {
	service?: string;
	workload?: { kind: 'Deployment' | 'StatefulSet' | 'ReplicaSet' | 'Pod'; name: string };
	namespace?: string;
	container?: string;
	ports?: { remote: number; local: number }[];
}

export interface ConfigFeatures {
	hostsFile?: boolean;
	outbound?: boolean;
	probes?: boolean;
	mountFiles?: boolean;
}

/** A place in the configuration file, 1-based. */
export interface SourcePosition {
	line: number;
	column: number;
}

/** A configuration read from a file, with where each value is, for errors found later. */
export interface LoadedConfig {
	file: string;
	config: KubebridgeConfig;
	/** Where the value at a JSON pointer (e.g. `/env/DB_URL`) is written. */
	positionOf(pointer: string): SourcePosition;
}
