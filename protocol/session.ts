import { NotificationType, RequestType } from 'vscode-jsonrpc';
import { s, type Schema } from './schema.js';
import type { ErrorData } from './errors.js';
import { workDoneTokenProperty, type WorkDoneProgressParams } from './progress.js';
import { outboundOptionsSchema, type OutboundInfo, type OutboundOptions } from './outbound.js';

/** A remote port of the target and the local port its traffic goes to. */
export interface PortMapping {
	/** The container port (what the Service's targetPort resolves to). */
	remote: number;
	/** The port the local process listens on (127.0.0.1). */
	local: number;
}

export type TargetWorkloadKind = 'Deployment' | 'StatefulSet' | 'ReplicaSet' | 'Pod';

/** What to redirect: a service, or a workload directly. Exactly one of the two. */
export interface ConnectTarget {
	/** A service whose pods are taken over. */
	service?: string;
	/** A workload whose pods are taken over. */
	workload?: { kind: TargetWorkloadKind; name: string };
	/** Default: the session's namespace. */
	namespace?: string;
	/** Default: the container serving the service's ports (known mesh sidecars are skipped), or the workload's first. */
	container?: string;
	/** The local port for the target's first TCP port; a shorthand for one `ports` entry. */
	localPort?: number;
	/** Remote → local; a remote port not listed goes to the same port number locally. */
	ports?: PortMapping[];
}

export interface ConnectParams extends WorkDoneProgressParams {
	targets: ConnectTarget[];
	/** The agent's container image; default: KUBEBRIDGE_AGENT_IMAGE, else the release's image. */
	agentImage?: string;
	/** How long to wait for the agent pods to be ready (ms, default 120000). */
	readyTimeoutMs?: number;
	/** Reach the cluster's services from this machine (absent: no outbound access). */
	outbound?: OutboundOptions;
}

export interface ConnectedTarget {
	/** `service/api` or `deployment/api`, as the user named it. */
	target: string;
	namespace: string;
	workload: { kind: TargetWorkloadKind; name: string };
	container: string;
	/** The agent pods now serving (every replica). */
	agentPods: string[];
	/** Every port now redirected, with the service port in front of it when there is one. */
	ports: (PortMapping & { servicePort: number | null })[];
	/**
	 * Variables the session's features add for the local program of this target (e.g. the
	 * folder of its copied files), on top of the container's own; `environment/get` and
	 * `kubebridge run` include them. Empty when no feature adds any.
	 */
	environment: Record<string, string>;
	/** The container's mounted files copied to this machine; null until the session has them. */
	files: TargetFiles | null;
}

/**
 * Why a file under a mount was not copied: the agent's user cannot read it, it is past the
 * size limit for one file, the session's copy reached its total limit, it is a link out of
 * the mount, or it is not a regular file (a socket, a device).
 */
export const FILE_SKIP_REASONS = ['unreadable', 'tooLarge', 'limitReached', 'linkOutside', 'notRegular'] as const;
export type FileSkipReason = typeof FILE_SKIP_REASONS[number];

/** One volume mount of the container and where its files are on this machine. */
export interface MountedFiles {
	/** The volume's name in the pod spec. */
	name: string;
	/** Where the container sees it. */
	mountPath: string;
	/** Where its copy is: `root` followed by `mountPath`. */
	localPath: string;
	/** The volume's type: `configMap`, `secret`, `projected`, `downwardAPI`, `emptyDir`, `persistentVolumeClaim`, … */
	kind: string;
	/** Whether it holds Secret data or a token (a secret, or a projected volume with a secret or token source). */
	secret: boolean;
	/** Files copied and their total size. */
	fileCount: number;
	bytes: number;
	/** Why nothing could be copied: `notMounted`, `missing`, `unreadable` (as the agent's user), `unavailable` (the agent could not be asked). */
	error: string | null;
	/** Files not copied, and why (at most 50 listed; `skippedCount` has them all). */
	skipped: { path: string; reason: FileSkipReason }[];
	skippedCount: number;
	/** The agent stopped listing at its entry limit. */
	truncated: boolean;
}

/** A target's mounted files, mirrored into a folder of the session while it is connected. */
export interface TargetFiles {
	/** The folder that stands for the container's `/`. */
	root: string;
	/** The env var that names `root` for the local process. */
	envVar: string;
	/** The agent pod the files are read from (downward API files and tokens are that pod's). */
	pod: string;
	mounts: MountedFiles[];
	/** When the last refresh ended, ISO 8601. */
	refreshedAt: string | null;
	/** Why the last refresh failed, when it did; the copy stays as it was. */
	refreshError: string | null;
}

export interface ConnectResult {
	sessionId: string;
	targets: ConnectedTarget[];
	/** After a crash of this process, the cluster restores itself within this many seconds. */
	restoreWithinSeconds: number;
	/** Present when outbound access was asked for. */
	outbound?: OutboundInfo;
}

const portSchema = s.integer({ minimum: 1, maximum: 65535 });
export const connectTargetSchema: Schema = s.object<ConnectTarget>({
	service: s.optional(s.string({ minLength: 1 })),
	workload: s.optional(s.object<{ kind: TargetWorkloadKind; name: string }>({
		kind: s.required(s.string({ enum: ['Deployment', 'StatefulSet', 'ReplicaSet', 'Pod'] })),
		name: s.required(s.string({ minLength: 1 })),
	})),
	namespace: s.optional(s.string({ minLength: 1 })),
	container: s.optional(s.string({ minLength: 1 })),
	localPort: s.optional(portSchema),
	ports: s.optional(s.array(s.object<PortMapping>({ remote: s.required(portSchema), local: s.required(portSchema) }), 64)),
});

/** Takes over the targets' pods with the agent and sends their traffic to this machine. */
export namespace ConnectRequest {
	export const method = 'session/connect' as const;
	export const type = new RequestType<ConnectParams, ConnectResult, ErrorData>(method);
	export const paramsSchema = s.object<ConnectParams>({
		targets: s.required(s.array(connectTargetSchema, 16)),
		agentImage: s.optional(s.string({ minLength: 1 })),
		readyTimeoutMs: s.optional(s.integer({ minimum: 1000, maximum: 900_000 })),
		outbound: s.optional(outboundOptionsSchema),
		workDoneToken: workDoneTokenProperty,
	});
}

export interface DisconnectParams extends WorkDoneProgressParams {}

export interface DisconnectResult {
	/** The workloads put back, as `kind/namespace/name`. */
	restored: string[];
}

/** Restores every workload of the session exactly and waits until the originals serve. */
export namespace DisconnectRequest {
	export const method = 'session/disconnect' as const;
	export const type = new RequestType<DisconnectParams, DisconnectResult, ErrorData>(method);
	export const paramsSchema = s.object<DisconnectParams>({ workDoneToken: workDoneTokenProperty });
}

export type AgentState = 'connecting' | 'serving' | 'reconnecting' | 'closed';

export interface AgentStatus {
	pod: string;
	namespace: string;
	state: AgentState;
	idleTunnels: number;
	activeConnections: number;
	totalConnections: number;
}

export interface SessionStatusResult {
	/** Null when no session is connected. */
	sessionId: string | null;
	targets: ConnectedTarget[];
	agents: AgentStatus[];
	/** Present when the session has outbound access: every listener with its counters. */
	outbound?: OutboundInfo;
}

export interface SessionStatusParams {}

export namespace SessionStatusRequest {
	export const method = 'session/status' as const;
	export const type = new RequestType<SessionStatusParams, SessionStatusResult, ErrorData>(method);
	export const paramsSchema = s.object<SessionStatusParams>({});
}

export interface RestoreParams extends WorkDoneProgressParams {
	/** Default: the session's namespace. */
	namespace?: string;
}

export interface RestoreResult {
	/** Workloads put back, as `kind/namespace/name`. */
	restored: string[];
	/** Leftover objects removed (leases, restorers), as `kind/namespace/name`. */
	removed: string[];
}

/** Finds what a kubebridge session left in a namespace (its own process gone) and restores it. */
export namespace RestoreRequest {
	export const method = 'session/restore' as const;
	export const type = new RequestType<RestoreParams, RestoreResult, ErrorData>(method);
	export const paramsSchema = s.object<RestoreParams>({
		namespace: s.optional(s.string({ minLength: 1 })),
		workDoneToken: workDoneTokenProperty,
	});
}

export type SessionChange =
	| 'agentServing'
	| 'agentReconnecting'
	| 'agentAdded'
	| 'agentRemoved'
	| 'localPortRefused'
	| 'filesChanged'
	| 'disconnected';

export interface DidChangeStateParams {
	sessionId: string;
	change: SessionChange;
	/** The agent pod concerned, when there is one. */
	pod?: string;
	/** For `localPortRefused`: the local port nothing listens on. */
	localPort?: number;
	/** For `filesChanged`: the local paths written or removed. */
	files?: string[];
	/** A sentence for the user. */
	message: string;
}

/** Something changed in a connected session: an agent pod came or went, a forward dropped or came back. */
export namespace DidChangeStateNotification {
	export const method = 'session/didChangeState' as const;
	export const type = new NotificationType<DidChangeStateParams>(method);
}
