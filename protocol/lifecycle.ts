import { Type, type Static } from '@sinclair/typebox';
import { NotificationType, NotificationType0, RequestType, RequestType0 } from 'vscode-jsonrpc';
import { Closed, NonEmptyString, StringEnum } from './schema.js';
import type { ErrorData } from './errors.js';
import type { NotificationTraits, RequestTraits } from './traits.js';

export const ClusterOptions = Closed({
	kubeconfig: Type.Optional(NonEmptyString({ description: 'A kubeconfig file; default: `KUBECONFIG`, then `~/.kube/config`, then in-cluster.' })),
	context: Type.Optional(NonEmptyString({ description: "A context of that kubeconfig; default: its current context." })),
	namespace: Type.Optional(NonEmptyString({ description: "The namespace used when a request names none; default: the context's namespace, else `default`." })),
	requestTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000, description: 'How long one API call may take before it fails with `clusterTimeout` (ms, default 15000).' })),
}, { description: "Which cluster to talk to. Every field falls back to the kubeconfig's own choice." });
export type ClusterOptions = Static<typeof ClusterOptions>;

export const TraceValue = StringEnum(['off', 'messages', 'verbose']);
export type TraceValue = Static<typeof TraceValue>;

export const ClientCapabilities = Closed({
	supportsWorkDoneProgress: Type.Optional(Type.Boolean({ description: 'The client shows `$/progress` work-done progress.' })),
	supportsLogNotifications: Type.Optional(Type.Boolean({ description: 'The client wants `log/didWrite` notifications.' })),
	supportsPortConfirmation: Type.Optional(Type.Boolean({ description: 'The client answers `ports/confirmFree` by asking its user.' })),
}, { description: 'What the client can do; a missing flag means no.' });
export type ClientCapabilities = Static<typeof ClientCapabilities>;

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

export const InitializeParams = Closed({
	processId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: "The client's process id; the server exits when that process is gone." }),
	clientInfo: Type.Optional(Closed({
		name: Type.String(),
		version: Type.Optional(Type.String()),
	}, { description: "The client's name and version, for the session log." })),
	workspaceFolder: Type.Optional(Type.Union([Type.String(), Type.Null()], {
		description: 'The folder whose `kubebridge.yaml` applies, when the client has one (the CLI sends its current directory).',
	})),
	capabilities: ClientCapabilities,
	cluster: Type.Optional(ClusterOptions),
	trace: Type.Optional(TraceValue),
});
export type InitializeParams = Static<typeof InitializeParams>;

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
	export const paramsSchema = InitializeParams;
	export const traits: RequestTraits = { direction: 'clientToServer', reportsProgress: false, cancellable: false };
}

export namespace InitializedNotification {
	export const method = 'initialized' as const;
	export const type = new NotificationType<Record<string, never>>(method);
	export const traits: NotificationTraits = { direction: 'clientToServer' };
}

/** Asks the server to release what it holds; only `exit` is accepted afterwards. */
export namespace ShutdownRequest {
	export const method = 'shutdown' as const;
	export const type = new RequestType0<null, ErrorData>(method);
	export const traits: RequestTraits = { direction: 'clientToServer', reportsProgress: false, cancellable: false };
}

/** Ends the process: exit code 0 after `shutdown`, 1 without it. */
export namespace ExitNotification {
	export const method = 'exit' as const;
	export const type = new NotificationType0(method);
	export const traits: NotificationTraits = { direction: 'clientToServer' };
}

export const SetTraceParams = Closed({ value: TraceValue });
export type SetTraceParams = Static<typeof SetTraceParams>;

export namespace SetTraceNotification {
	export const method = '$/setTrace' as const;
	export const type = new NotificationType<SetTraceParams>(method);
	export const paramsSchema = SetTraceParams;
	export const traits: NotificationTraits = { direction: 'clientToServer' };
}

export interface LogTraceParams {
	message: string;
	/** Only with trace `verbose`: the entry's structured fields, as JSON. */
	verbose?: string;
}

export namespace LogTraceNotification {
	export const method = '$/logTrace' as const;
	export const type = new NotificationType<LogTraceParams>(method);
	export const traits: NotificationTraits = { direction: 'serverToClient' };
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
	export const traits: NotificationTraits = { direction: 'serverToClient' };
}

export interface CancelParams {
	/** The id of the request to cancel. */
	id: number | string;
}

/** Asks the server to stop a running request; it then answers that request with `RequestCancelled`. */
export namespace CancelRequestNotification {
	export const method = '$/cancelRequest' as const;
	export const type = new NotificationType<CancelParams>(method);
	export const traits: NotificationTraits = { direction: 'clientToServer' };
}
