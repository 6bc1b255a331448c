import { RequestType } from 'vscode-jsonrpc';
import { s } from './schema.js';
import type { ErrorData } from './errors.js';
import type { TargetWorkloadKind } from './session.js';

/** The workspace configuration, `kubebridge.yaml`, as `schemas/kubebridge.schema.json` describes it. */
export interface WorkspaceConfig {
	version: 1;
	/** What `session/connect` (and `kubebridge run`) connect when the client names no target. */
	targets?: ConfigTarget[];
	/** How `kubebridge run` and editors start the local program. */
	launch?: ConfigLaunch;
	/** Env vars added to or overriding the container's; values may hold tokens. */
	env?: Record<string, string>;
	features?: ConfigFeatures;
}

export interface ConfigTarget {
	service?: string;
	workload?: { kind: TargetWorkloadKind; name: string };
	namespace?: string;
	container?: string;
	ports?: { remote: number; local: number }[];
}

export interface ConfigLaunch {
	/** An array is run without a shell; one string is run by the platform's shell. */
	command: string | string[];
	/** Relative to the workspace folder; default: the workspace folder. */
	cwd?: string;
}

/** Switches for what a session changes on this machine and in the cluster. */
export interface ConfigFeatures {
	/** Cluster names in the hosts file (default true). */
	hostsFile?: boolean;
	/** Reach cluster Services from this machine, rewriting their variables (default true). */
	outbound?: boolean;
	/** Keep the replaced container's HTTP and TCP probes, answered by the local program (default false). */
	probes?: boolean;
	/** Copy the container's mounted files to a local folder (default true). */
	mountFiles?: boolean;
}

export interface ConfigParams {}

export interface ConfigResult {
	/** The workspace folder the configuration is looked for in; null when the client named none. */
	workspaceFolder: string | null;
	/** The file read; null when the folder has none. */
	file: string | null;
	/** The file's content; null when there is none. */
	config: WorkspaceConfig | null;
	/** The feature switches a session uses: the file's, with the defaults filled in. */
	features: Required<ConfigFeatures>;
}

/** The workspace's `kubebridge.yaml`, read now: a bad file fails with `configInvalid` naming line and field. */
export namespace ConfigRequest {
	export const method = 'config/get' as const;
	export const type = new RequestType<ConfigParams, ConfigResult, ErrorData>(method);
	export const paramsSchema = s.object<ConfigParams>({});
}
