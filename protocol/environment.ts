import { Type, type Static } from '@sinclair/typebox';
import { RequestType } from 'vscode-jsonrpc';
import { Closed, Described, NonEmptyString, StringEnum } from './schema.js';
import type { ErrorData } from './errors.js';
import { WorkDoneProgressParams } from './progress.js';
import { ConnectTarget } from './session.js';
import type { RequestTraits } from './traits.js';

/** `session`: added by a feature of the connected session (e.g. the root of the mounted files' copy); `config`: kubebridge.yaml's `env`. */
export type EnvSourceKind = 'literal' | 'configMap' | 'secret' | 'field' | 'resource' | 'service' | 'envFrom' | 'session' | 'config';

export interface EnvVarInfo {
	name: string;
	/** The value, or `****` for a secret one unless `reveal` was asked. */
	value: string;
	source: EnvSourceKind;
	/** Whether the value is or contains a Secret's data. */
	secret: boolean;
	/** For `configMap`, `secret` and `envFrom`: the object and key it was read from. */
	ref?: { kind: 'ConfigMap' | 'Secret'; name: string; key: string };
	/** For `field` and `resource`: the field path or resource, e.g. `status.podIP`. */
	field?: string;
	/** For `service`: the Service the variable describes. */
	service?: string;
}

export const EnvironmentParams = Closed({
	target: Described(ConnectTarget, 'Whose container: the same shape as a `session/connect` target (ports are ignored).'),
	reveal: Type.Optional(Type.Boolean({ description: 'Show secret values instead of `****`.' })),
	...WorkDoneProgressParams.properties,
});
export type EnvironmentParams = Static<typeof EnvironmentParams>;

export interface EnvironmentResult {
	namespace: string;
	/** The pod whose fields (name, IPs, node) the values use. */
	pod: string;
	container: string;
	vars: EnvVarInfo[];
	/** Entries the kubelet would leave out too (an optional missing key, an invalid `envFrom` key on old kubelets). */
	skipped: { name: string | null; reason: 'invalidName' | 'optionalMissing'; ref: { kind: 'ConfigMap' | 'Secret'; name: string; key?: string } }[];
	/** What could not be read, and what that means for the values. */
	notes: string[];
	/**
	 * Variables whose value differs from the pod's because the session reaches their Service
	 * on this machine (outbound access): the service variables and what `$(VAR)` made of them.
	 * Empty without a session with outbound access in the target's namespace.
	 */
	rewrites: { name: string; from: string; to: string }[];
}

/** The env vars a target's container has in the cluster, exactly as the kubelet builds them. */
export namespace EnvironmentRequest {
	export const method = 'environment/get' as const;
	export const type = new RequestType<EnvironmentParams, EnvironmentResult, ErrorData>(method);
	export const paramsSchema = EnvironmentParams;
	export const traits: RequestTraits = { direction: 'clientToServer', reportsProgress: true, cancellable: false };
}

export const ExportFormatName = StringEnum(['dotenv', 'launchSettings', 'vscode', 'bash', 'powershell', 'cmd']);
export type ExportFormatName = Static<typeof ExportFormatName>;

export const ExportParams = Closed({
	target: ConnectTarget,
	format: ExportFormatName,
	omitUnrepresentable: Type.Optional(Type.Boolean({ description: 'Leave out what the format cannot carry (listed in `omitted`) instead of failing.' })),
	profileName: Type.Optional(NonEmptyString({ description: "For `launchSettings`: the profile's name (default `kubebridge`)." })),
	existing: Type.Optional(Type.String({ description: "For `launchSettings`: the current file's text, to which the profile is added." })),
	...WorkDoneProgressParams.properties,
});
export type ExportParams = Static<typeof ExportParams>;

export interface ExportResultInfo {
	format: ExportFormatName;
	/** The file's content, secret values included. */
	text: string;
	omitted: { name: string; why: string }[];
}

/** That environment written in a hand-over format: `.env`, launchSettings, VS Code, bash, PowerShell, cmd. */
export namespace ExportRequest {
	export const method = 'environment/export' as const;
	export const type = new RequestType<ExportParams, ExportResultInfo, ErrorData>(method);
	export const paramsSchema = ExportParams;
	export const traits: RequestTraits = { direction: 'clientToServer', reportsProgress: true, cancellable: false };
}
