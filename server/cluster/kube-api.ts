import { AppsV1Api, CoreV1Api, type V1Namespace } from '@kubernetes/client-node';
import { ErrorCodes } from '../../protocol/index.js';
import { KubebridgeError } from '../rpc/errors.js';
import type { Logger } from '../log/logger.js';
import { clusterTimeout, toClusterError, type CallTarget } from './api-errors.js';
import type { ClusterAccess, NamespaceSnapshot } from './cluster-access.js';
import type { LoadedKubeConfig } from './kube-config.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

/** `ClusterAccess` over `@kubernetes/client-node`: the one place that calls the API server. */
export class KubeApi implements ClusterAccess {
	private readonly core: CoreV1Api;
	private readonly apps: AppsV1Api;

	constructor(
		private readonly loaded: LoadedKubeConfig,
		private readonly logger: Logger,
		private readonly timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
	) {
		this.core = loaded.config.makeApiClient(CoreV1Api);
		this.apps = loaded.config.makeApiClient(AppsV1Api);
	}

	get context(): string { return this.loaded.context; }
	get namespace(): string { return this.loaded.namespace; }
	get server(): string | null { return this.loaded.server; }

	/**
	 * Runs one API call with a deadline, so a server that accepts connections but never
	 * answers fails in seconds rather than after the OS gives up, and maps its failure.
	 */
	private async call<T>(action: string, run: () => Promise<T>): Promise<T> {
		const target: CallTarget = { context: this.context, server: this.server, action };
		let timer: NodeJS.Timeout | undefined;
		const deadline = new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(clusterTimeout(target, this.timeoutMs)), this.timeoutMs);
		});
		const started = Date.now();
		try {
			const result = await Promise.race([run(), deadline]);
			this.logger.debug('cluster', action, { ms: Date.now() - started });
			return result;
		} catch (error) {
			const mapped = toClusterError(error, target);
			this.logger.warning('cluster', mapped.message, { reason: mapped.reason, ms: Date.now() - started });
			throw mapped;
		} finally {
			clearTimeout(timer);
		}
	}

	/** Like `call`, but a read the user may lack permission for yields an empty list. */
	private async optionalList<T>(action: string, run: () => Promise<{ items: T[] }>): Promise<T[]> {
		try {
			return (await this.call(action, run)).items;
		} catch (error) {
			if (error instanceof KubebridgeError && error.reason === 'forbidden') return [];
			throw error;
		}
	}

	async listNamespaces(): Promise<V1Namespace[]> {
		return (await this.call('list namespaces', () => this.core.listNamespace())).items;
	}

	async readNamespaceSnapshot(namespace: string): Promise<NamespaceSnapshot> {
		const [services, pods, replicaSets, deployments, statefulSets] = await Promise.all([
			this.call(`list services in ${namespace}`, () => this.core.listNamespacedService({ namespace })),
			this.call(`list pods in ${namespace}`, () => this.core.listNamespacedPod({ namespace })),
			this.optionalList(`list replicasets in ${namespace}`, () => this.apps.listNamespacedReplicaSet({ namespace })),
			this.optionalList(`list deployments in ${namespace}`, () => this.apps.listNamespacedDeployment({ namespace })),
			this.optionalList(`list statefulsets in ${namespace}`, () => this.apps.listNamespacedStatefulSet({ namespace })),
		]);
		if (services.items.length === 0 && pods.items.length === 0) await this.assertNamespaceExists(namespace);
		return { services: services.items, pods: pods.items, replicaSets, deployments, statefulSets };
	}

	/** Listing in a missing namespace just returns nothing; tell the user instead. */
	private async assertNamespaceExists(namespace: string): Promise<void> {
		try {
			await this.call(`read namespace ${namespace}`, () => this.core.readNamespace({ name: namespace }));
		} catch (error) {
			if (error instanceof KubebridgeError && error.reason === 'resourceNotFound') {
				throw new KubebridgeError(ErrorCodes.ClusterNotFound, {
					reason: 'namespaceNotFound', context: this.context, status: 404,
					hint: 'List the namespaces with cluster/namespaces (kubebridge namespaces).',
				}, `Namespace '${namespace}' does not exist in context '${this.context}'.`);
			}
			// Without permission to read namespaces, an empty one and a missing one look alike.
			if (error instanceof KubebridgeError && error.reason === 'forbidden') return;
			throw error;
		}
	}
}
