import type { ApiEndpoint } from './port-forward.js';
import type { ObjectStore } from './object-store.js';
import type { V1Deployment, V1Namespace, V1Pod, V1ReplicaSet, V1Service, V1StatefulSet } from '@kubernetes/client-node';

/** What one namespace holds that discovery needs, read in one go. */
export interface NamespaceSnapshot {
	services: V1Service[];
	pods: V1Pod[];
	replicaSets: V1ReplicaSet[];
	deployments: V1Deployment[];
	statefulSets: V1StatefulSet[];
}

/**
 * Every read kubebridge makes of a cluster. The server logic sees only this interface, so
 * unit tests can hand it a fake; the real one is `KubeApi`.
 */
export interface ClusterAccess {
	readonly context: string;
	readonly namespace: string;
	readonly server: string | null;
	listNamespaces(): Promise<V1Namespace[]>;
	/** Fails with `namespaceNotFound` when the namespace does not exist. */
	readNamespaceSnapshot(namespace: string): Promise<NamespaceSnapshot>;
	/** Reads and writes of whole objects, for taking workloads over and restoring them. */
	readonly objects: ObjectStore;
	/** Where port-forwards go, with the kubeconfig's credentials. */
	readonly endpoint: ApiEndpoint;
}
