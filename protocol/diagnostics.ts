import { Type, type Static } from '@sinclair/typebox';
import { RequestType } from 'vscode-jsonrpc';
import { Closed, NonEmptyString } from './schema.js';
import type { ErrorData } from './errors.js';
import { WorkDoneProgressParams } from './progress.js';
import type { EnvVarInfo } from './environment.js';
import type { SessionStatusResult } from './session.js';
import type { RequestTraits } from './traits.js';

export const DiagnosticsParams = Closed({
	namespace: Type.Optional(NonEmptyString({ description: "Where to look for kubebridge sessions in the cluster; default: the session's namespaces, else the current one." })),
	reveal: Type.Optional(Type.Boolean({ description: 'Show secret values of the env vars (never in a bundle).' })),
	bundle: Type.Optional(NonEmptyString({ description: 'Also write a `.tar.gz` for a bug report to this path (absolute): this report and the logs, secrets redacted.' })),
	...WorkDoneProgressParams.properties,
});
export type DiagnosticsParams = Static<typeof DiagnosticsParams>;

/** A kubebridge block found in the hosts file. */
export interface HostsBlockInfo {
	sessionId: string;
	pid: number;
	/** Whether the owning process runs; a dead one's block is removed at the next connect. */
	alive: boolean;
	entries: { address: string; names: string[] }[];
}

/** A session found in the cluster: its lease and the pods carrying its label. */
export interface ClusterSessionInfo {
	namespace: string;
	sessionId: string;
	/** Who holds it: user@host pid N. */
	holder: string;
	renewed: string | null;
	pods: { name: string; role: 'agent' | 'restorer'; phase: string; ready: boolean }[];
}

export interface DiagnosticsResult {
	versions: {
		kubebridge: string; node: string; platform: string; arch: string;
		/** The image the session's agents run (with none connected, the one a connect would use). */
		agentImage: string;
		/** The ConfigMap (named by the script's content) that brings the agent's script to that image; null when the image carries its own. */
		agentScript: string | null;
	};
	cluster: { context: string; server: string | null; namespace: string } | null;
	/** This run's log file, the folder of every run's logs, and the agents' logs streamed into it. */
	logs: { folder: string; file: string | null; agentLogs: string[] };
	/** This server's session (targets, agents, outbound listeners with counters). */
	session: SessionStatusResult;
	/** The env vars of each connected target, as handed over (secrets masked unless `reveal`). */
	environment: { target: string; vars: EnvVarInfo[] }[];
	/** The names in force: every kubebridge block of the hosts file the session uses (or the system's). */
	hosts: { path: string; blocks: HostsBlockInfo[] };
	clusterSessions: ClusterSessionInfo[];
	/** What could not be collected, and why. */
	problems: string[];
	/** The bundle written, when asked for. */
	bundle: string | null;
}

/** What kubebridge knows about itself, the machine and the cluster, for the user or a bug report. */
export namespace DiagnosticsRequest {
	export const method = 'diagnostics/get' as const;
	export const type = new RequestType<DiagnosticsParams, DiagnosticsResult, ErrorData>(method);
	export const paramsSchema = DiagnosticsParams;
	export const traits: RequestTraits = { direction: 'clientToServer', reportsProgress: true, cancellable: false };
}
