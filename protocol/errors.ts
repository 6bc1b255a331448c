/**
 * Error codes and the machine-readable reasons a client switches on.
 *
 * Codes from JSON-RPC 2.0 and the Language Server Protocol keep their meaning. kubebridge's
 * own codes sit in -33999..-33000, outside both reserved ranges, one block of 100 per area.
 * Every error kubebridge sends carries `data` of type {@link ErrorData}; `data.reason` is
 * stable across versions even when the human message changes.
 */
export namespace ErrorCodes {
	// JSON-RPC 2.0
	export const ParseError = -32700;
	export const InvalidRequest = -32600;
	export const MethodNotFound = -32601;
	export const InvalidParams = -32602;
	export const InternalError = -32603;
	// Language Server Protocol
	export const ServerNotInitialized = -32002;
	export const RequestCancelled = -32800;
	export const RequestFailed = -32803;
	// kubebridge: the cluster (-33100..-33199)
	export const ClusterUnreachable = -33100;
	export const ClusterUnauthorized = -33101;
	export const ClusterForbidden = -33102;
	export const ClusterNotFound = -33103;
	export const KubeconfigInvalid = -33104;
	export const ClusterRequestFailed = -33105;
	// kubebridge: sessions (-33200..-33299), reserved for session/*
	export const TargetNotConnectable = -33200;
	// kubebridge: the local machine (-33400..-33499), reserved for ports and the hosts file
	export const LocalPortInUse = -33400;
	export const ElevationRefused = -33401;
	// kubebridge: editor project files (-33500..-33599), read and edited by the vs-adapter
	export const ProjectNotFound = -33500;
	export const ProjectFileInvalid = -33501;
	export const LaunchProfileConflict = -33502;
	export const ProjectFileNotWritable = -33503;
}

/** Stable reasons, one per distinct cause; the spec lists them with their codes. */
export const ERROR_REASONS = [
	'parseError',
	'invalidRequest',
	'batchNotSupported',
	'messageTooLarge',
	'methodNotFound',
	'invalidParams',
	'internalError',
	'serverNotInitialized',
	'alreadyInitialized',
	'shutdownRequested',
	'requestCancelled',
	'clusterUnreachable',
	'clusterTimeout',
	'tlsVerificationFailed',
	'unauthorized',
	'authPluginFailed',
	'forbidden',
	'namespaceNotFound',
	'resourceNotFound',
	'kubeconfigNotFound',
	'kubeconfigInvalid',
	'contextNotFound',
	'clusterRequestFailed',
	'projectNotFound',
	'launchConfigurationNotFound',
	'projectFileInvalid',
	'launchProfileExists',
	'launchProfileInUse',
	'projectFileNotWritable',
] as const;

export type ErrorReason = (typeof ERROR_REASONS)[number];

/** The `data` of every error response kubebridge sends. */
export interface ErrorData {
	/** What went wrong, stable and machine-readable. */
	reason: ErrorReason;
	/** What the user can do about it, when there is something to do. */
	hint?: string;
	/** For `invalidParams`: a JSON pointer to the offending field, e.g. `/cluster/namespace`. */
	path?: string;
	/** For cluster errors: the kubeconfig context the request used. */
	context?: string;
	/** For cluster errors: the API server's address. */
	server?: string;
	/** For cluster errors: the HTTP status the API server answered, when it answered. */
	status?: number;
	/** For errors about a file on this machine: its absolute path. */
	file?: string;
	/** With `file`: the 1-based line the problem is on, when there is one. */
	line?: number;
	/** With `line`: the 1-based column. */
	column?: number;
}
