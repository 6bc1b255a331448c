import type { V1Deployment, V1Namespace, V1Pod, V1ReplicaSet, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { ErrorCodes } from '../../protocol/index.js';
import { KubebridgeError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { ClusterAccess, NamespaceSnapshot } from './cluster-access.js';
import { withOriginalSelectors } from './routed-selectors.js';
import type { LoadedKubeConfig } from './kube-config.js';
import { cachedHttpsOptions } from './https-options.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, JsonApi } from './json-api.js';
import { JsonObjectStore, type ObjectStore } from './object-store.js';
import { apiEndpoint } from './api-endpoint.js';
import type { ApiEndpoint } from './port-forward.js';

/**
 * `ClusterAccess` over the kubeconfig `@kubernetes/client-node` loads: the one place that
 * calls the API server. Reads go through `JsonApi` as plain JSON, the shape the model
 * interfaces describe, rather than through the generated API classes, whose serializer
 * knows every model of every API group and costs the sidecar its memory at start.
 */
export class KubeApi implements ClusterAccess {
	private readonly api: JsonApi;
	readonly objects: ObjectStore;
	readonly endpoint: ApiEndpoint;

	constructor(
		private readonly loaded: LoadedKubeConfig,
		logger: Logger,
		timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
	) {
		const httpsOptions = cachedHttpsOptions(loaded.config);
		this.api = new JsonApi(loaded, logger, timeoutMs, httpsOptions);
		this.objects = new JsonObjectStore(this.api);
		this.endpoint = apiEndpoint(loaded.config, httpsOptions);
	}

	get context(): string { return this.loaded.context; }
	get namespace(): string { return this.loaded.namespace; }
	get server(): string | null { return this.loaded.server; }

	private async list<T>(path: string, action: string): Promise<T[]> {
		return (await this.api.call<{ items: T[] }>('GET', path, action)).items;
	}

	/** Like `list`, but a read the user may lack permission for yields an empty list. */
	private async optionalList<T>(path: string, action: string): Promise<T[]> {
		try {
			return await this.list<T>(path, action);
		} catch (error) {
			if (error instanceof KubebridgeError && error.reason === 'forbidden') return [];
			throw error;
		}
	}

	listNamespaces(): Promise<V1Namespace[]> {
		return this.list('/api/v1/namespaces', 'list namespaces');
	}

	async readNamespaceSnapshot(namespace: string): Promise<NamespaceSnapshot> {
		const core = `/api/v1/namespaces/${encodeURIComponent(namespace)}`;
		const apps = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}`;
		const [services, pods, replicaSets, deployments, statefulSets] = await Promise.all([
			this.list<V1Service>(`${core}/services`, `list services in ${namespace}`),
			this.list<V1Pod>(`${core}/pods`, `list pods in ${namespace}`),
			this.optionalList<V1ReplicaSet>(`${apps}/replicasets`, `list replicasets in ${namespace}`),
			this.optionalList<V1Deployment>(`${apps}/deployments`, `list deployments in ${namespace}`),
			this.optionalList<V1StatefulSet>(`${apps}/statefulsets`, `list statefulsets in ${namespace}`),
		]);
		if (services.length === 0 && pods.length === 0) await this.assertNamespaceExists(namespace, core);
		return withOriginalSelectors({ services, pods, replicaSets, deployments, statefulSets });
	}

	/** Listing in a missing namespace just returns nothing; tell the user instead. */
	private async assertNamespaceExists(namespace: string, path: string): Promise<void> {
		try {
			await this.api.call('GET', path, `read namespace ${namespace}`);
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
