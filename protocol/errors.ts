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
	// kubebridge: sessions (-33200..-33299)
	export const TargetNotConnectable = -33200;
	export const TargetTakenOver = -33201;
	export const AgentNotReady = -33202;
	export const SessionState = -33203;
	// kubebridge: the container's environment (-33300..-33399)
	export const EnvironmentUnresolvable = -33300;
	export const ExportNotRepresentable = -33301;
	// kubebridge: the local machine (-33400..-33499): ports and the hosts file
	export const LocalPortInUse = -33400;
	export const ElevationRefused = -33401;
	export const HostsFileFailed = -33402;
	// kubebridge: the workspace configuration file (-33500..-33599)
	export const ConfigInvalid = -33500;
	export const ConfigTokenUnresolved = -33501;
	// kubebridge: editor project files (-33600..-33699), read and edited by the vs-adapter
	export const ProjectNotFound = -33600;
	export const ProjectFileInvalid = -33601;
	export const LaunchProfileConflict = -33602;
	export const ProjectFileNotWritable = -33603;
	export const ProposalMissing = -33604;
	export const AdapterSessionFailed = -33605;
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
	'targetNotFound',
	'targetNotConnectable',
	'targetTakenOver',
	'agentNotReady',
	'routeNotPossible',
	'routeTaken',
	'sessionActive',
	'noSession',
	'envSourceNotFound',
	'envFieldUnsupported',
	'noRunningPod',
	'valueNotRepresentable',
	'launchSettingsInvalid',
	'configInvalid',
	'configTokenUnresolved',
	'configTokenNeedsSession',
	'localPortInUse',
	'elevationRefused',
	'elevationUnavailable',
	'hostsFileFailed',
	'hostsFileLocked',
	'invalidHostsEntry',
	'projectNotFound',
	'launchConfigurationNotFound',
	'projectFileInvalid',
	'launchProfileExists',
	'launchProfileInUse',
	'projectFileNotWritable',
	'serviceNotProposed',
	'localPortNotProposed',
	'sidecarNotStarted',
	'sessionProcessEnded',
] as const;

export type ErrorReason = (typeof ERROR_REASONS)[number];

/** The `data` of every error response kubebridge sends. */
export interface ErrorData {
	/** What went wrong, stable and machine-readable. */
	reason: ErrorReason;
	/** What the user can do about it, when there is something to do. */
	hint?: string;
	/** For `invalidParams` and `configInvalid`: a JSON pointer to the offending field, e.g. `/cluster/namespace`. */
	path?: string;
	/** For cluster errors: the kubeconfig context the request used. */
	context?: string;
	/** For cluster errors: the API server's address. */
	server?: string;
	/** For cluster errors: the HTTP status the API server answered, when it answered. */
	status?: number;
	/** For environment and configuration errors: the env var, field or token concerned. */
	name?: string;
	/** For `configInvalid` and `configTokenUnresolved`: the configuration file; for hosts file errors, the hosts file; for project file errors, the project or launch file. */
	file?: string;
	/** For `configInvalid` and `configTokenUnresolved`: the 1-based line in `file`. */
	line?: number;
	/** For `configInvalid` and `configTokenUnresolved`: the 1-based column in `file`. */
	column?: number;
	/** For `localPortInUse`: the local address and port that are taken. */
	address?: string;
	port?: number;
	/** For `localPortInUse`: the process holding the port, when it could be found. */
	pid?: number;
	/** For `localPortInUse`: that process's command line. */
	command?: string;
}
