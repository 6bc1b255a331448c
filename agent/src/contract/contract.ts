import type { FlowCounts } from './datagram-flows.js';

/**
 * What the sidecar and the agent agree on: the agent's settings (env vars of the agent
 * container), its HTTP endpoints and headers, and the labels and annotations kubebridge
 * puts on what it changes in a cluster. With the takeover record (takeover-record.ts) and
 * the framing of handed-over connections (handoff.ts, chunked.ts) it makes the contract
 * room: the one folder both sides import, and that imports nothing of either (the layout
 * test checks).
 */

export const AGENT_ENV = {
	/** Comma-separated TCP ports the replaced container served; the agent listens on all addresses. */
	ports: 'KUBEBRIDGE_AGENT_PORTS',
	/** Comma-separated UDP ports the replaced container served; the agent listens on all addresses. */
	udpPorts: 'KUBEBRIDGE_AGENT_UDP_PORTS',
	/** The control port, bound to 127.0.0.1 in the pod so only a port-forward reaches it. */
	controlPort: 'KUBEBRIDGE_AGENT_CONTROL_PORT',
	/** The port the kubelet's probes reach on all addresses; it answers without a token. */
	healthPort: 'KUBEBRIDGE_AGENT_HEALTH_PORT',
	/** Hex SHA-256 of the session token: the pod spec never holds the token itself. */
	tokenHash: 'KUBEBRIDGE_AGENT_TOKEN_SHA256',
	session: 'KUBEBRIDGE_SESSION',
	/**
	 * The replaced container's readiness probe as a `MirroredProbe` in JSON, when the
	 * workspace asks for it (`features.probes`); absent, the agent's readiness is its own.
	 */
	readiness: 'KUBEBRIDGE_AGENT_READINESS',
} as const;

export const AGENT_PATHS = {
	/** An upgrade the agent answers (101) when a caller connects to one of its ports. */
	accept: '/v1/accept',
	/**
	 * An upgrade the agent answers (101) once it reached `host`:`port` inside the cluster;
	 * with `transport=udp`, once it has a UDP socket for that peer, and frames datagrams.
	 */
	dial: '/v1/dial',
	/** Newline-delimited JSON events for as long as the request stays open. */
	events: '/v1/events',
	status: '/v1/status',
	/** The files under the volume mounts named by `mount` query parameters: a `FileListing`. */
	files: '/v1/files',
	/** The bytes of the file named by the `path` query parameter, under a volume mount. */
	fileContent: '/v1/files/content',
	/** Liveness, on the health port: always the agent's own. */
	health: '/healthz',
	/** Readiness, on the health port: the agent's own, or the mirrored probe's once armed. */
	ready: '/readyz',
	/** POST: from now on `/readyz` mirrors the replaced container's readiness probe, until the sidecar's link drops. */
	armReadiness: '/v1/readiness/arm',
} as const;

/**
 * A readiness probe of the replaced container the agent can answer for the local program:
 * an HTTP GET to the agent's own listener on `port`, which forwards it through a tunnel.
 */
export interface MirroredProbe {
	/** An agent port, so the request travels to the local program like any caller's. */
	port: number;
	path: string;
	scheme: 'HTTP' | 'HTTPS';
	headers: { name: string; value: string }[];
	/** As the original probe's: past it the probe fails. */
	timeoutSeconds: number;
}

/** The Upgrade token of a tunnel: after the 101, each direction is HTTP/1.1 chunked coding. */
export const TUNNEL_UPGRADE = 'kubebridge-tunnel';

export const AGENT_HEADERS = {
	/** On an accept answer: the agent port the caller connected to. */
	port: 'kubebridge-port',
	/** On an accept answer: the caller's address as the agent saw it. */
	peer: 'kubebridge-peer',
	/** On an accept answer: `udp` when the tunnel carries a flow of datagrams (datagram-frames.ts), absent for a TCP connection. */
	transport: 'kubebridge-transport',
	/** On a file content answer: the hex SHA-256 of the bytes sent. */
	sha256: 'kubebridge-sha256',
} as const;

/**
 * How much of a container's mounted files the agent reads for one listing: volumes such as
 * an emptyDir or a PersistentVolumeClaim can hold far more than a developer's machine
 * should copy every few seconds. ConfigMaps and Secrets (1 MiB at most each) always fit.
 */
export const FILE_LIMITS = {
	/** A larger file is listed as `tooLarge` and not copied. */
	fileBytes: 4 * 1024 * 1024,
	/** Past this many bytes across all the mounts asked for, files are listed as `limitReached`. */
	totalBytes: 32 * 1024 * 1024,
	/** Past this many entries the walk stops and the mount is marked `truncated`. */
	entries: 2000,
} as const;

/** Why a file under a mount was not copied. */
export type FileSkipReason = 'unreadable' | 'tooLarge' | 'limitReached' | 'linkOutside' | 'notRegular';

/** A file or folder under a mount, as the agent's process sees it. */
export interface FileEntry {
	/** Relative to the mount path, `/`-separated; empty when the mount is a single file (a subPath). */
	path: string;
	type: 'file' | 'dir';
	/** Permission bits as in the container (the kubelet's `defaultMode`/`mode`). */
	mode: number;
	size: number;
	/** Hex SHA-256 of the content; only for a file that was read. */
	sha256?: string;
	skipped?: FileSkipReason;
}

export interface MountListing {
	mountPath: string;
	/** Nothing could be listed: not a volume mount of the container, absent, or not readable by the agent. */
	error?: 'notMounted' | 'missing' | 'unreadable';
	/** The walk stopped at `FILE_LIMITS.entries`. */
	truncated?: boolean;
	entries: FileEntry[];
}

export interface FileListing {
	mounts: MountListing[];
}

export const DEFAULT_CONTROL_PORT = 47990;
export const DEFAULT_HEALTH_PORT = 47991;

/** One line of the events stream. */
export type AgentEvent =
	| { event: 'hello'; pod: string; ports: number[]; udpPorts?: number[]; version: string }
	| { event: 'waiting'; count: number }
	/** `udp`: what the agent's UDP ports carried and dropped since it started, all ports together. */
	| { event: 'heartbeat'; idle: number; active: number; udp?: FlowCounts };

export const HEARTBEAT_MS = 3000;

export const LABELS = {
	/** On everything kubebridge creates, and on the pod template of a taken-over workload. */
	session: 'kubebridge.io/session',
	/** What a created object is for: `restorer`, `lease`. */
	role: 'kubebridge.io/role',
	/** On an agent pod: which target of its session it serves. */
	target: 'kubebridge.io/target',
} as const;

export const ANNOTATIONS = {
	/** On a taken-over workload: the pod template as it was, as JSON. */
	originalTemplate: 'kubebridge.io/original-template',
	/** On a taken-over workload: who took it over (user, host, pid) and when, as JSON. */
	owner: 'kubebridge.io/owner',
	/** On a taken-over workload: the session id, also the name suffix of its lease. */
	session: 'kubebridge.io/session',
} as const;

/** The lease the sidecar renews; when it lapses, the restorer puts the workloads back. */
/**
 * Long enough to ride out a short network outage without restoring under a live session,
 * short enough that a crashed session is put back well within half a minute.
 */
export const LEASE_DURATION_S = 20;
export const LEASE_RENEW_MS = 3000;

/** The ConfigMap a session delivers the agent's script in, named by the script's SHA-256 so one build's sessions share it. */
export const agentScriptConfigMap = (sha256: string): string => `kubebridge-agent-${sha256.slice(0, 12)}`;

/** Whether a ConfigMap is one kubebridge delivers its agent in: not the workload's own files. */
export const isAgentScriptConfigMap = (name: string): boolean => /^kubebridge-agent-[0-9a-f]{12}$/.test(name);

export const leaseName = (session: string): string => `kubebridge-${session}`;
export const restorerName = (session: string): string => `kubebridge-restorer-${session}`;
