import { Type, type Static } from '@sinclair/typebox';
import { RequestType } from 'vscode-jsonrpc';
import { Closed, NonEmptyString } from './schema.js';
import type { ErrorData } from './errors.js';
import { WorkDoneProgressParams } from './progress.js';
import type { RequestTraits } from './traits.js';

export interface ContextInfo {
	name: string;
	cluster: string;
	user: string;
	/** The context's namespace, when it names one. */
	namespace: string | null;
	/** The API server's address. */
	server: string | null;
	/** Whether requests use this context (the `initialize` choice, else the kubeconfig's current one). */
	current: boolean;
}

export const ContextsParams = Closed({});
export type ContextsParams = Static<typeof ContextsParams>;

export interface ContextsResult {
	contexts: ContextInfo[];
	/** The files the kubeconfig was read from, or `in-cluster`. */
	sources: string[];
}

/** The kubeconfig's contexts. Reads no cluster. */
export namespace ContextsRequest {
	export const method = 'cluster/contexts' as const;
	export const type = new RequestType<ContextsParams, ContextsResult, ErrorData>(method);
	export const paramsSchema = ContextsParams;
	export const traits: RequestTraits = { direction: 'clientToServer', reportsProgress: false, cancellable: false };
}

export const NamespacesParams = WorkDoneProgressParams;
export type NamespacesParams = Static<typeof NamespacesParams>;

export interface NamespaceInfo {
	name: string;
	/** `Active` or `Terminating`. */
	phase: string;
}

export interface NamespacesResult {
	namespaces: NamespaceInfo[];
	/** The namespace requests use when they name none. */
	current: string;
}

export namespace NamespacesRequest {
	export const method = 'cluster/namespaces' as const;
	export const type = new RequestType<NamespacesParams, NamespacesResult, ErrorData>(method);
	export const paramsSchema = NamespacesParams;
	export const traits: RequestTraits = { direction: 'clientToServer', reportsProgress: true, cancellable: true };
}

export const ServicesParams = Closed({
	namespace: Type.Optional(NonEmptyString({ description: "Default: the session's namespace." })),
	...WorkDoneProgressParams.properties,
});
export type ServicesParams = Static<typeof ServicesParams>;

export interface ServicePort {
	name: string | null;
	port: number;
	/** A number, or the name of a container port. */
	targetPort: number | string;
	protocol: 'TCP' | 'UDP' | 'SCTP';
	/** The container whose port `targetPort` resolves to, when the pods show one. */
	container: string | null;
}

export interface PodInfo {
	name: string;
	/** Every container ready. */
	ready: boolean;
	phase: string;
	node: string | null;
	ip: string | null;
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'ReplicaSet' | 'DaemonSet' | 'Job' | 'CronJob' | 'ReplicationController' | 'Pod' | 'Other';

export interface WorkloadRef {
	kind: WorkloadKind;
	name: string;
	/** Desired replicas, for kinds that have them. */
	replicas: number | null;
}

export interface ContainerInfo {
	name: string;
	image: string;
	ports: { name: string | null; containerPort: number; protocol: 'TCP' | 'UDP' | 'SCTP' }[];
}

/** Why a service cannot be redirected to this machine. */
export const NOT_CONNECTABLE_REASONS = [
	'externalName',
	'noSelector',
	'noPods',
	'noTcpOrUdpPorts',
	'unsupportedWorkload',
	'hostNetwork',
	'noServingContainer',
] as const;

export type NotConnectableReason = (typeof NOT_CONNECTABLE_REASONS)[number];

export interface ServiceInfo {
	name: string;
	namespace: string;
	type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
	/** `None` for a headless service, null for ExternalName. */
	clusterIP: string | null;
	headless: boolean;
	externalName: string | null;
	ports: ServicePort[];
	/** Null when the service has no selector. */
	selector: Record<string, string> | null;
	pods: PodInfo[];
	/** The workloads that own the pods behind the service (a Deployment, not its ReplicaSet). */
	workloads: WorkloadRef[];
	/** The containers of the pods behind the service. */
	containers: ContainerInfo[];
	connectable: boolean;
	/** Set when `connectable` is false. */
	notConnectableReason: NotConnectableReason | null;
	/** A sentence for the user: why not, or what connecting will replace. */
	detail: string;
}

export interface ServicesResult {
	namespace: string;
	services: ServiceInfo[];
}

/** The services of a namespace, what backs them, and whether each can be connected. */
export namespace ServicesRequest {
	export const method = 'cluster/services' as const;
	export const type = new RequestType<ServicesParams, ServicesResult, ErrorData>(method);
	export const paramsSchema = ServicesParams;
	export const traits: RequestTraits = { direction: 'clientToServer', reportsProgress: true, cancellable: true };
}
