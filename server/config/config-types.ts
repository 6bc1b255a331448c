import type { ConfigFeatures, WorkspaceConfig } from '../../protocol/index.js';

/** The switches of a session when the file sets none: everything that helps, probes kept by the agent. */
export const DEFAULT_FEATURES: Required<ConfigFeatures> = { hostsFile: true, outbound: true, probes: false, mountFiles: true };

/** The switches a session uses: the file's, with the defaults filled in. */
export const featuresOf = (config: WorkspaceConfig | null | undefined): Required<ConfigFeatures> => ({ ...DEFAULT_FEATURES, ...config?.features });

/** A place in the configuration file, 1-based. */
export interface SourcePosition {
	line: number;
	column: number;
}

/** A configuration read from a file, with where each value is, for errors found later. */
export interface LoadedConfig {
	file: string;
	config: WorkspaceConfig;
	/** Where the value at a JSON pointer (e.g. `/env/DB_URL`) is written. */
	positionOf(pointer: string): SourcePosition;
}
