import type {
	ClusterOptions, ContextsResult, InitializeParams, NamespacesParams, NamespacesResult,
	ServerCapabilities, ServicesParams, ServicesResult,
} from '../protocol/index.js';
import { describeContexts, loadKubeConfig, type LoadedKubeConfig } from './cluster/kube-config.js';
import { KubeApi } from './cluster/kube-api.js';
import type { ClusterAccess } from './cluster/cluster-access.js';
import { describeServices } from './cluster/service-discovery.js';
import type { Logger } from './log/logger.js';
import { throwIfCancelled, type Work } from './work.js';

/** Makes the cluster access for a loaded kubeconfig; tests pass a fake. */
export type ClusterAccessFactory = (loaded: LoadedKubeConfig, options: ClusterOptions, logger: Logger) => ClusterAccess;

export const realClusterAccess: ClusterAccessFactory = (loaded, options, logger) =>
	new KubeApi(loaded, logger, options.requestTimeoutMs);

export const SERVER_CAPABILITIES: ServerCapabilities = {
	supportsClusterDiscovery: true,
	supportsCancellation: true,
	supportsWorkDoneProgress: true,
};

/**
 * kubebridge's operations, free of any JSON-RPC type: the connection binds methods to these,
 * and the CLI reaches them through the same protocol.
 */
export class KubebridgeServer {
	private clusterOptions: ClusterOptions;
	private cluster: ClusterAccess | null = null;

	constructor(
		private readonly logger: Logger,
		defaults: ClusterOptions = {},
		private readonly makeClusterAccess: ClusterAccessFactory = realClusterAccess,
	) {
		this.clusterOptions = { ...defaults };
	}

	initialize(params: InitializeParams): void {
		// Command-line choices win over the client's: the user typed them for this run.
		this.clusterOptions = { ...params.cluster, ...this.clusterOptions };
		this.logger.info('server', 'initialized', {
			client: params.clientInfo ?? null, cluster: this.clusterOptions, workspaceFolder: params.workspaceFolder ?? null,
		});
	}

	/** The cluster, connected on first use so a bad kubeconfig fails the request that needs it. */
	private clusterAccess(): ClusterAccess {
		if (!this.cluster) {
			const loaded = loadKubeConfig(this.clusterOptions);
			this.logger.info('cluster', 'kubeconfig loaded', { sources: loaded.sources, context: loaded.context, namespace: loaded.namespace });
			this.cluster = this.makeClusterAccess(loaded, this.clusterOptions, this.logger);
		}
		return this.cluster;
	}

	contexts(): ContextsResult {
		const loaded = loadKubeConfig(this.clusterOptions);
		return { contexts: describeContexts(loaded), sources: loaded.sources };
	}

	async namespaces(_params: NamespacesParams, work: Work): Promise<NamespacesResult> {
		const cluster = this.clusterAccess();
		work.progress.begin('Listing namespaces', `context ${cluster.context}`);
		try {
			const items = await cluster.listNamespaces();
			throwIfCancelled(work.cancellation);
			return {
				namespaces: items.map((ns) => ({ name: ns.metadata?.name ?? '', phase: ns.status?.phase ?? 'Active' }))
					.sort((a, b) => a.name.localeCompare(b.name)),
				current: cluster.namespace,
			};
		} finally {
			work.progress.end();
		}
	}

	async services(params: ServicesParams, work: Work): Promise<ServicesResult> {
		const cluster = this.clusterAccess();
		const namespace = params.namespace ?? cluster.namespace;
		work.progress.begin('Listing services', `namespace ${namespace} in context ${cluster.context}`);
		try {
			const snapshot = await cluster.readNamespaceSnapshot(namespace);
			throwIfCancelled(work.cancellation);
			work.progress.report(`${snapshot.services.length} services, ${snapshot.pods.length} pods`, 80);
			return { namespace, services: describeServices(snapshot) };
		} finally {
			work.progress.end();
		}
	}

	shutdown(): void {
		this.logger.info('server', 'shutdown');
		this.cluster = null;
	}
}
