import { AppsV1Api, CoreV1Api, type ConfigurationOptions, type V1Namespace } from '@kubernetes/client-node';
import { ErrorCodes } from '../../protocol/index.js';
import { KubebridgeError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { callApi, DEFAULT_REQUEST_TIMEOUT_MS } from './api-call.js';
import type { ClusterAccess, NamespaceSnapshot } from './cluster-access.js';
import { withOriginalSelectors } from './routed-selectors.js';
import type { LoadedKubeConfig } from './kube-config.js';
import { cachedHttpsOptions } from './https-options.js';
import { JsonApi } from './json-api.js';
import { JsonObjectStore, type ObjectStore } from './object-store.js';
import { apiEndpoint } from './api-endpoint.js';
import type { ApiEndpoint } from './port-forward.js';

/** `ClusterAccess` over `@kubernetes/client-node`: the one place that calls the API server. */
export class KubeApi implements ClusterAccess {
	private readonly core: CoreV1Api;
	private readonly apps: AppsV1Api;
	readonly objects: ObjectStore;
	readonly endpoint: ApiEndpoint;

	constructor(
		private readonly loaded: LoadedKubeConfig,
		private readonly logger: Logger,
		private readonly timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
	) {
		this.core = loaded.config.makeApiClient(CoreV1Api);
		this.apps = loaded.config.makeApiClient(AppsV1Api);
		const httpsOptions = cachedHttpsOptions(loaded.config);
		this.objects = new JsonObjectStore(new JsonApi(loaded, logger, timeoutMs, httpsOptions));
		this.endpoint = apiEndpoint(loaded.config, httpsOptions);
	}

	get context(): string { return this.loaded.context; }
	get namespace(): string { return this.loaded.namespace; }
	get server(): string | null { return this.loaded.server; }

	private call<T>(action: string, run: (options: ConfigurationOptions) => Promise<T>): Promise<T> {
		return callApi(this.loaded, this.logger, this.timeoutMs, action, run);
	}

	/** Like `call`, but a read the user may lack permission for yields an empty list. */
	private async optionalList<T>(action: string, run: (options: ConfigurationOptions) => Promise<{ items: T[] }>): Promise<T[]> {
		try {
			return (await this.call(action, run)).items;
		} catch (error) {
			if (error instanceof KubebridgeError && error.reason === 'forbidden') return [];
			throw error;
		}
	}

	async listNamespaces(): Promise<V1Namespace[]> {
		return (await this.call('list namespaces', (o) => this.core.listNamespace({}, o))).items;
	}

	async readNamespaceSnapshot(namespace: string): Promise<NamespaceSnapshot> {
		const [services, pods, replicaSets, deployments, statefulSets] = await Promise.all([
			this.call(`list services in ${namespace}`, (o) => this.core.listNamespacedService({ namespace }, o)),
			this.call(`list pods in ${namespace}`, (o) => this.core.listNamespacedPod({ namespace }, o)),
			this.optionalList(`list replicasets in ${namespace}`, (o) => this.apps.listNamespacedReplicaSet({ namespace }, o)),
			this.optionalList(`list deployments in ${namespace}`, (o) => this.apps.listNamespacedDeployment({ namespace }, o)),
			this.optionalList(`list statefulsets in ${namespace}`, (o) => this.apps.listNamespacedStatefulSet({ namespace }, o)),
		]);
		if (services.items.length === 0 && pods.items.length === 0) await this.assertNamespaceExists(namespace);
		return withOriginalSelectors({ services: services.items, pods: pods.items, replicaSets, deployments, statefulSets });
	}

	/** Listing in a missing namespace just returns nothing; tell the user instead. */
	private async assertNamespaceExists(namespace: string): Promise<void> {
		try {
			await this.call(`read namespace ${namespace}`, (o) => this.core.readNamespace({ name: namespace }, o));
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
