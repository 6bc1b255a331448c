import { Type, type Static } from '@sinclair/typebox';
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import { Closed, Described, NonEmptyString, Port, StringEnum } from './schema.js';
import type { ErrorData } from './errors.js';
import { WorkDoneProgressParams } from './progress.js';
import { OutboundOptions, type OutboundInfo } from './outbound.js';
import type { NotificationTraits, RequestTraits } from './traits.js';

export const PortMapping = Closed({
	remote: Port({ description: "The container port (what the Service's targetPort resolves to)." }),
	local: Port({ description: 'The port the local process listens on (127.0.0.1).' }),
	protocol: Type.Optional(StringEnum(['TCP', 'UDP'], {
		description: 'Which protocol of the port this maps. Default: the port number as the container serves it, TCP and, when the container declares it, UDP too.',
	})),
}, { description: 'A remote port of the target and the local port its traffic goes to.' });
export type PortMapping = Static<typeof PortMapping>;

export const TargetWorkloadKind = StringEnum(['Deployment', 'StatefulSet', 'ReplicaSet', 'Pod']);
export type TargetWorkloadKind = Static<typeof TargetWorkloadKind>;

export const RouteHeader = Closed({
	header: Type.String({ pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", maxLength: 128, description: 'An HTTP header name (compared without case), e.g. `x-dev`.' }),
	value: Type.String({ pattern: '^[\\x21-\\x2b\\x2d-\\x7e]+$', maxLength: 256, description: 'The value that selects this session: visible ASCII, no space or comma.' }),
}, { description: "Header routing: only HTTP/1.1 and HTTP/2 requests carrying this header with this value reach the local process; every other request, and every connection that is not HTTP, is served by the service's original pods, which keep running. Several sessions share a service, each with its own value." });
export type RouteHeader = Static<typeof RouteHeader>;

export const TargetMode = StringEnum(['replace', 'mirror'], {
	description: "`replace` (default): the local process serves the target's requests (all of them, or with `route` those carrying its header). `mirror`: the original pods keep serving every request and the local process gets a copy of each (of those carrying the header, with `route`), its answers discarded.",
});
export type TargetMode = Static<typeof TargetMode>;

export const ConnectTarget = Closed({
	service: Type.Optional(NonEmptyString({ description: 'A service whose pods are taken over.' })),
	workload: Type.Optional(Closed({ kind: TargetWorkloadKind, name: NonEmptyString() }, { description: 'A workload whose pods are taken over.' })),
	namespace: Type.Optional(NonEmptyString({ description: "Default: the session's namespace." })),
	container: Type.Optional(NonEmptyString({ description: "Default: the container serving the service's ports (known mesh sidecars are skipped), or the workload's first." })),
	localPort: Type.Optional(Port({ description: "The local port for the target's first TCP port; a shorthand for one `ports` entry." })),
	ports: Type.Optional(Type.Array(PortMapping, { maxItems: 64, description: 'Remote → local; a remote port not listed goes to the same port number locally.' })),
	route: Type.Optional(RouteHeader),
	mode: Type.Optional(TargetMode),
}, { description: 'What to redirect: a service, or a workload directly. Exactly one of the two.' });
export type ConnectTarget = Static<typeof ConnectTarget>;

export const ConnectParams = Closed({
	targets: Type.Array(ConnectTarget, { maxItems: 16 }),
	agentBaseImage: Type.Optional(NonEmptyString({
		description: "A Node.js 24 image (node at /usr/local/bin/node) the agents and the restorer run the sidecar's agent script on, delivered in a ConfigMap; for a mirror of the default. Default: the server's --agent-base-image, else KUBEBRIDGE_AGENT_BASE_IMAGE, else kubebridge.yaml's agent.baseImage, else node:24-slim.",
	})),
	agentImage: Type.Optional(NonEmptyString({
		description: "A full agent image that carries its own script (built from agent/Dockerfile), instead of a base image. Default: the server's --agent-image, else KUBEBRIDGE_AGENT_IMAGE, else kubebridge.yaml's agent.image, else none.",
	})),
	readyTimeoutMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 900_000, description: 'How long to wait for the agent pods to be ready (ms, default 120000).' })),
	outbound: Type.Optional(Described(OutboundOptions, "Reach the cluster's services from this machine (absent: no outbound access).")),
	...WorkDoneProgressParams.properties,
}, { not: { required: ['agentImage', 'agentBaseImage'] } });
export type ConnectParams = Static<typeof ConnectParams>;

export interface ConnectedTarget {
	/** `service/api` or `deployment/api`, as the user named it. */
	target: string;
	namespace: string;
	workload: { kind: TargetWorkloadKind; name: string };
	container: string;
	/** The agent pods now serving (every replica). */
	agentPods: string[];
	/** Every port now redirected, TCP and UDP, with the service port in front of it when there is one. */
	ports: { remote: number; local: number; protocol: 'TCP' | 'UDP'; servicePort: number | null }[];
	/**
	 * Variables the session's features add for the local program of this target (e.g. the
	 * folder of its copied files), on top of the container's own; `environment/get` and
	 * `kubebridge run` include them. Empty when no feature adds any.
	 */
	environment: Record<string, string>;
	/** The container's mounted files copied to this machine; null until the session has them. */
	files: TargetFiles | null;
	/** `replace` or `mirror`, as connect was asked. */
	mode: TargetMode;
	/** The header that selects this session's requests; null when it gets every request. */
	route: RouteHeader | null;
	/**
	 * The router Deployment the service selects while sessions share it (header routing or
	 * mirror); null when the workload itself was taken over.
	 */
	router: string | null;
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

/** Takes over the targets' pods with the agent and sends their traffic to this machine. */
export namespace ConnectRequest {
	export const method = 'session/connect' as const;
	export const type = new RequestType<ConnectParams, ConnectResult, ErrorData>(method);
	export const paramsSchema = ConnectParams;
	export const traits: RequestTraits = { direction: 'clientToServer', reportsProgress: true, cancellable: true };
}

export const DisconnectParams = WorkDoneProgressParams;
export type DisconnectParams = Static<typeof DisconnectParams>;

/** A target whose callers may still be sent to a pod that is gone when disconnect stopped waiting for them. */
export interface StaleRoute {
	/** The target as connect's result names it (`ConnectedTarget.target`). */
	target: string;
	/** What was still seen when the wait ran out: originals not ready, agent pods left, or the proxy's last miss. */
	reason: string;
}

export interface DisconnectResult {
	/** The workloads put back, as `kind/namespace/name`. */
	restored: string[];
	/**
	 * Present when disconnect answered before every restored service was seen routing to its
	 * original pods only: the cluster's proxy catches up on its own, but callers meanwhile
	 * may hang towards a pod that is gone.
	 */
	stale?: StaleRoute[];
}

/** Restores every workload of the session exactly and waits until the originals serve. */
export namespace DisconnectRequest {
	export const method = 'session/disconnect' as const;
	export const type = new RequestType<DisconnectParams, DisconnectResult, ErrorData>(method);
	export const paramsSchema = DisconnectParams;
	export const traits: RequestTraits = { direction: 'clientToServer', reportsProgress: true, cancellable: false };
}

export type AgentState = 'connecting' | 'serving' | 'reconnecting' | 'closed';

export interface AgentStatus {
	pod: string;
	namespace: string;
	state: AgentState;
	idleTunnels: number;
	activeConnections: number;
	totalConnections: number;
	/** Present when the agent takes UDP ports: its flows of datagrams. */
	udp?: AgentDatagramStats;
}

/** What an agent's UDP ports carried: as this machine relayed it, and as the agent counted it. */
export interface AgentDatagramStats {
	/** Flows (one per caller's address and port) so far, and open now. */
	flows: number;
	activeFlows: number;
	/** Datagrams from callers in the cluster sent on to the local process. */
	toLocal: number;
	/** Replies of the local process sent back towards the callers. */
	fromLocal: number;
	/** Dropped on this machine: larger than a UDP datagram can be, or a tunnel or socket was backed up. */
	droppedOversize: number;
	droppedBacklog: number;
	/** The agent's own counts, as of its last heartbeat (null before the first). */
	agent: AgentDatagramCounts | null;
}

/** What an agent's UDP ports carried and dropped since it started, as the agent counts it. */
export interface AgentDatagramCounts {
	flows: number;
	activeFlows: number;
	/** Datagrams from callers into the tunnels. */
	fromCallers: number;
	/** Replies out of the tunnels sent to the callers. */
	toCallers: number;
	/** Larger than a UDP datagram can be. */
	droppedOversize: number;
	/** A tunnel or the port's socket was backed up, or no tunnel came for a new flow. */
	droppedBacklog: number;
}

export interface SessionStatusResult {
	/** Null when no session is connected. */
	sessionId: string | null;
	targets: ConnectedTarget[];
	agents: AgentStatus[];
	/** Present when the session has outbound access: every listener with its counters. */
	outbound?: OutboundInfo;
}

export const SessionStatusParams = Closed({});
export type SessionStatusParams = Static<typeof SessionStatusParams>;

export namespace SessionStatusRequest {
	export const method = 'session/status' as const;
	export const type = new RequestType<SessionStatusParams, SessionStatusResult, ErrorData>(method);
	export const paramsSchema = SessionStatusParams;
	export const traits: RequestTraits = { direction: 'clientToServer', reportsProgress: false, cancellable: false };
}

export const RestoreParams = Closed({
	namespace: Type.Optional(NonEmptyString({ description: "Default: the session's namespace." })),
	hostsPath: Type.Optional(NonEmptyString({ description: "The hosts file to remove dead sessions' names from. Default: the system's." })),
	...WorkDoneProgressParams.properties,
});
export type RestoreParams = Static<typeof RestoreParams>;

export interface RestoreResult {
	/** Workloads put back, as `kind/namespace/name`. */
	restored: string[];
	/** Leftover objects removed (leases, restorers), as `kind/namespace/name`. */
	removed: string[];
	/** What dead sessions left on this machine and is gone now: their names in the hosts file, their session folders. */
	cleaned: string[];
}

/** Finds what a kubebridge session left in a namespace and on this machine (its own process gone) and restores it. */
export namespace RestoreRequest {
	export const method = 'session/restore' as const;
	export const type = new RequestType<RestoreParams, RestoreResult, ErrorData>(method);
	export const paramsSchema = RestoreParams;
	export const traits: RequestTraits = { direction: 'clientToServer', reportsProgress: true, cancellable: false };
}

export type SessionChange =
	| 'agentServing'
	| 'agentReconnecting'
	| 'agentAdded'
	| 'agentRemoved'
	| 'localPortRefused'
	| 'filesChanged'
	| 'outboundChanged'
	| 'routeAdded'
	| 'routeRemoved'
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
	/**
	 * For `outboundChanged`: the services that came, went or changed their ports, as
	 * `service.namespace` (`pod.service.namespace` for a pod of a headless service);
	 * `session/status` has the set now reached.
	 */
	services?: string[];
	/** For `routeAdded` and `routeRemoved`: the target, its mode and the header that selects its requests (null: every request). */
	route?: { target: string; mode: TargetMode; header: RouteHeader | null };
	/** A sentence for the user. */
	message: string;
}

/** Something changed in a connected session: an agent pod came or went, a forward dropped or came back, a service came or went. */
export namespace DidChangeStateNotification {
	export const method = 'session/didChangeState' as const;
	export const type = new NotificationType<DidChangeStateParams>(method);
	export const traits: NotificationTraits = { direction: 'serverToClient' };
}
