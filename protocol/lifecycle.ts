import { NotificationType, NotificationType0, RequestType, RequestType0 } from 'vscode-jsonrpc';
import { s } from './schema.js';
import type { ErrorData } from './errors.js';

/** The client's name and version, for the session log. */
export interface ClientInfo {
	name: string;
	version?: string;
}

/** Which cluster to talk to. Every field falls back to the kubeconfig's own choice. */
export interface ClusterOptions {
	/** A kubeconfig file; default: `KUBECONFIG`, then `~/.kube/config`, then in-cluster. */
	kubeconfig?: string;
	/** A context of that kubeconfig; default: its current context. */
	context?: string;
	/** The namespace used when a request names none; default: the context's namespace, else `default`. */
	namespace?: string;
	/** How long one API call may take before it fails with `clusterTimeout` (ms, default 15000). */
	requestTimeoutMs?: number;
}

export const clusterOptionsSchema = s.object<ClusterOptions>({
	kubeconfig: s.optional(s.string({ minLength: 1 })),
	context: s.optional(s.string({ minLength: 1 })),
	namespace: s.optional(s.string({ minLength: 1 })),
	requestTimeoutMs: s.optional(s.integer({ minimum: 100, maximum: 600_000 })),
});

export type TraceValue = 'off' | 'messages' | 'verbose';
const traceSchema = s.string({ enum: ['off', 'messages', 'verbose'] });

/** What the client can do; a missing flag means no. */
export interface ClientCapabilities {
	/** The client shows `$/progress` work-done progress. */
	supportsWorkDoneProgress?: boolean;
	/** The client wants `log/didWrite` notifications. */
	supportsLogNotifications?: boolean;
	/** The client answers `ports/confirmFree` by asking its user. */
	supportsPortConfirmation?: boolean;
}

/** What the server does; a missing flag means no. */
export interface ServerCapabilities {
	/** `cluster/contexts`, `cluster/namespaces` and `cluster/services`. */
	supportsClusterDiscovery?: boolean;
	/** `$/cancelRequest` is honoured by long requests. */
	supportsCancellation?: boolean;
	/** Long requests report `$/progress` when given a `workDoneToken`. */
	supportsWorkDoneProgress?: boolean;
	/** `session/*`: redirecting services to this machine. */
	supportsSessions?: boolean;
	/** `environment/*`: the pod's environment and files. */
	supportsEnvironment?: boolean;
	/** `config/get`: the workspace's `kubebridge.yaml`, whose targets, env and switches sessions use. */
	supportsWorkspaceConfig?: boolean;
	/** `diagnostics/get`. */
	supportsDiagnostics?: boolean;
}

export interface InitializeParams {
	/** The client's process id; the server exits when that process is gone. */
	processId: number | null;
	clientInfo?: ClientInfo;
	/** The folder whose `kubebridge.yaml` applies, when the client has one (the CLI sends its current directory). */
	workspaceFolder?: string | null;
	capabilities: ClientCapabilities;
	cluster?: ClusterOptions;
	trace?: TraceValue;
}

export const initializeParamsSchema = s.object<InitializeParams>({
	processId: s.required(s.anyOf(s.integer({ minimum: 1 }), s.null())),
	clientInfo: s.optional(s.object<ClientInfo>({
		name: s.required(s.string()),
		version: s.optional(s.string()),
	})),
	workspaceFolder: s.optional(s.anyOf(s.string(), s.null())),
	capabilities: s.required(s.object<ClientCapabilities>({
		supportsWorkDoneProgress: s.optional(s.boolean()),
		supportsLogNotifications: s.optional(s.boolean()),
		supportsPortConfirmation: s.optional(s.boolean()),
	})),
	cluster: s.optional(clusterOptionsSchema),
	trace: s.optional(traceSchema),
});

export interface InitializeResult {
	capabilities: ServerCapabilities;
	serverInfo: { name: 'kubebridge'; version: string };
	/** The file this server writes its log to. */
	logFile: string;
}

/** The first request; anything else before it fails with `ServerNotInitialized`. */
export namespace InitializeRequest {
	export const method = 'initialize' as const;
	export const type = new RequestType<InitializeParams, InitializeResult, ErrorData>(method);
	export const paramsSchema = initializeParamsSchema;
}

export namespace InitializedNotification {
	export const method = 'initialized' as const;
	export const type = new NotificationType<Record<string, never>>(method);
}

/** Asks the server to release what it holds; only `exit` is accepted afterwards. */
export namespace ShutdownRequest {
	export const method = 'shutdown' as const;
	export const type = new RequestType0<null, ErrorData>(method);
}

/** Ends the process: exit code 0 after `shutdown`, 1 without it. */
export namespace ExitNotification {
	export const method = 'exit' as const;
	export const type = new NotificationType0(method);
}

export interface SetTraceParams {
	value: TraceValue;
}

export namespace SetTraceNotification {
	export const method = '$/setTrace' as const;
	export const type = new NotificationType<SetTraceParams>(method);
	export const paramsSchema = s.object<SetTraceParams>({ value: s.required(traceSchema) });
}

export interface LogTraceParams {
	message: string;
	/** Only with trace `verbose`: the entry's structured fields, as JSON. */
	verbose?: string;
}

export namespace LogTraceNotification {
	export const method = '$/logTrace' as const;
	export const type = new NotificationType<LogTraceParams>(method);
}

export type LogLevel = 'error' | 'warning' | 'info' | 'debug';

export interface LogWriteParams {
	level: LogLevel;
	/** The component that wrote it, e.g. `cluster`, `rpc`. */
	area: string;
	message: string;
	/** ISO 8601 time of the entry. */
	time: string;
}

/** A line the server wrote to its log (warnings and errors), for clients that asked. */
export namespace LogWriteNotification {
	export const method = 'log/didWrite' as const;
	export const type = new NotificationType<LogWriteParams>(method);
}

export interface CancelParams {
	/** The id of the request to cancel. */
	id: number | string;
}

/** Asks the server to stop a running request; it then answers that request with `RequestCancelled`. */
export namespace CancelRequestNotification {
	export const method = '$/cancelRequest' as const;
	export const type = new NotificationType<CancelParams>(method);
}
