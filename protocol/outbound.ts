import { Type, type Static } from '@sinclair/typebox';
import { RequestType } from 'vscode-jsonrpc';
import { Closed, NonEmptyString, Port } from './schema.js';
import type { ErrorData } from './errors.js';
import type { RequestTraits, ReservedMethod } from './traits.js';

export const OutboundOptions = Closed({
	hostsFile: Type.Optional(Type.Boolean({
		description: "Write the services' cluster names into the hosts file (default true). False is the no-hosts mode: each service listens on a port of 127.0.0.1 and is reached through the service env vars and the result's table; names do not resolve.",
	})),
	hostsPath: Type.Optional(NonEmptyString({ description: "The hosts file to edit; default the operating system's." })),
	namespaces: Type.Optional(Type.Array(NonEmptyString(), { maxItems: 32, description: "Namespaces whose services are reached too (the targets' namespaces always are)." })),
	freeBusyPorts: Type.Optional(Type.Boolean({
		description: 'When an address and port a service needs is taken: true stops the process holding it (the user agreed); false listens on another port and says so; absent asks the client (`ports/confirmFree`) when it declared `supportsPortConfirmation`, else acts as false.',
	})),
	externalEndpoints: Type.Optional(Type.Array(Closed({ host: NonEmptyString(), port: Port() }), {
		maxItems: 64,
		description: 'Hosts outside the cluster to reach through it (`$(externalEndpoints:HOST:PORT)` of the workspace file adds its own): each listens on a port of 127.0.0.1 and the agent dials it.',
	})),
}, { description: 'How the local process reaches the cluster\'s services while a session is connected.' });
export type OutboundOptions = Static<typeof OutboundOptions>;

export type OutboundMode = 'names' | 'noHosts';

/** One port of a service as this machine reaches it. */
export interface OutboundPort {
	/** The service's port (what code in the cluster dials). */
	port: number;
	/** The port name of the service, when it has one. */
	name: string | null;
	/** A UDP port listens for datagrams on `localPort`; a service port with both protocols is two entries. */
	protocol: 'TCP' | 'UDP';
	/** Where it listens on this machine (`address`). Differs from `port` when the port was low, taken, or in no-hosts mode. */
	localPort: number;
	/** Connections made so far (UDP: flows, one per local sender address and port). */
	connections: number;
	/** Connections open now (UDP: flows not yet idle). */
	activeConnections: number;
	/** Bytes from this machine to the cluster. */
	bytesOut: number;
	/** Bytes from the cluster to this machine. */
	bytesIn: number;
	/** UDP only: datagrams each way, and those dropped (too large, or a tunnel or socket backed up). */
	datagrams?: { out: number; in: number; droppedOversize: number; droppedBacklog: number };
}

/** A service (or one pod of a headless service) reached from this machine. */
export interface OutboundService {
	namespace: string;
	service: string;
	/** For a pod of a headless service (a StatefulSet's `db-0`): its host name. */
	pod: string | null;
	/** The names written to the hosts file for it (none in no-hosts mode). */
	names: string[];
	/** The loopback address it listens on. */
	address: string;
	/** The host the agent dials in the cluster. */
	dials: string;
	ports: OutboundPort[];
}

/** A host outside the cluster reached through it. */
export interface OutboundExternal {
	host: string;
	port: number;
	/** Where this machine reaches it: always 127.0.0.1, on `localPort`. */
	address: string;
	localPort: number;
	connections: number;
	activeConnections: number;
	bytesOut: number;
	bytesIn: number;
}

export interface OutboundInfo {
	mode: OutboundMode;
	/** The hosts file holding the session's block; null in no-hosts mode. */
	hostsPath: string | null;
	services: OutboundService[];
	external: OutboundExternal[];
	/** Sentences for the user: what does not work in this mode, ports moved, names shadowed. */
	notes: string[];
}

export interface ConfirmFreePortParams {
	address: string;
	port: number;
	/** The service that wants the port, as `service.namespace`. */
	service: string;
	/** The processes holding it; `pid` null for a process of another user. */
	holders: { pid: number | null; command: string | null }[];
	/** A sentence to show the user. */
	message: string;
}

export interface ConfirmFreePortResult {
	/** True: stop the holders (SIGTERM, then SIGKILL after a grace period). False: use another port. */
	free: boolean;
}

/** Server → client: a port a service needs is taken; may kubebridge stop the process holding it? */
export namespace ConfirmFreePortRequest {
	export const method = 'ports/confirmFree' as const;
	export const type = new RequestType<ConfirmFreePortParams, ConfirmFreePortResult, ErrorData>(method);
	export const traits: RequestTraits = { direction: 'serverToClient', reportsProgress: false, cancellable: false };
}

/** Named in the spec for the ports features that follow, so no extension takes the names; not served yet. */
export const RESERVED_METHODS: readonly ReservedMethod[] = [
	{ method: 'ports/check', kind: 'request', traits: { direction: 'clientToServer', reportsProgress: false, cancellable: false } },
	{ method: 'ports/free', kind: 'request', traits: { direction: 'clientToServer', reportsProgress: false, cancellable: false } },
];
