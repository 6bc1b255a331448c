import type {
	ClusterOptions, ConfigResult, ConnectParams, ConnectResult, ContextsResult, DidChangeStateParams, DisconnectResult, EnvironmentParams,
	EnvironmentResult, ExportParams, ExportResultInfo, InitializeParams,
	DiagnosticsParams, DiagnosticsResult, NamespacesParams, NamespacesResult, RestoreParams, RestoreResult, ServerCapabilities, ServicesParams, ServicesResult,
	SessionStatusResult,
} from '../protocol/index.js';
import { loadWorkspaceConfig } from './config/config-file.js';
import { targetsWithConfig } from './config/config-targets.js';
import { externalEndpointsOf, resolveConfigEnv } from './config/config-tokens.js';
import { featuresOf, type LoadedConfig } from './config/config-types.js';
import { layerEnvironment } from './environment/handed-environment.js';
import { resolveWithLocalServices } from './environment/service-rewrite.js';
import { secretValues } from './secrets/secret-values.js';
import { NO_SESSION_ENVIRONMENT } from './session/session-environment.js';
import { readEnvironmentSources } from './environment/container-sources.js';
import { maskSecrets } from './secrets/masking.js';
import { exportEnvironment } from './environment/export/export-environment.js';
import { collectDiagnostics } from './diagnostics/collect.js';
import { removeStaleSessionFolders } from './files/session-folder.js';
import { restoreLeftovers } from './session/leftovers.js';
import { removeLocalLeftovers } from './session/local-leftovers.js';
import type { ConfirmFree } from './outbound/bind-port.js';
import { agentImageFromEnv, chooseAgentRuntime, type AgentImageChoice, type AgentRuntime } from './session/agent-runtime.js';
import { Session } from './session/session.js';
import { noSession, sessionActive } from './session/session-errors.js';
import { describeContexts, loadKubeConfig, type LoadedKubeConfig } from './cluster/kube-config.js';
import { KubeApi } from './cluster/kube-api.js';
import type { ClusterAccess } from './cluster/cluster-access.js';
import { describeServices } from './cluster/service-discovery.js';
import type { Logger } from './log/logger.js';
import { silentProgress, throwIfCancelled, type Work } from './work.js';

/** Makes the cluster access for a loaded kubeconfig; tests pass a fake. */
export type ClusterAccessFactory = (loaded: LoadedKubeConfig, options: ClusterOptions, logger: Logger) => ClusterAccess;

const realClusterAccess: ClusterAccessFactory = (loaded, options, logger) =>
	new KubeApi(loaded, logger, options.requestTimeoutMs);

export const SERVER_CAPABILITIES: ServerCapabilities = {
	supportsClusterDiscovery: true,
	supportsCancellation: true,
	supportsWorkDoneProgress: true,
	supportsSessions: true,
	supportsEnvironment: true,
	supportsDiagnostics: true,
	supportsWorkspaceConfig: true,
};

/**
 * kubebridge's operations, free of any JSON-RPC type: the connection binds methods to these,
 * and the CLI reaches them through the same protocol.
 */
export class KubebridgeServer {
	private clusterOptions: ClusterOptions;
	private cluster: ClusterAccess | null = null;
	private session: Session | null = null;
	private workspaceFolder: string | null = null;
	private sessionListener: (event: DidChangeStateParams) => void = () => undefined;
	private confirmFree: ConfirmFree | null = null;

	constructor(
		private readonly logger: Logger,
		defaults: ClusterOptions = {},
		private readonly makeClusterAccess: ClusterAccessFactory = realClusterAccess,
		/** The agent image the command line names: wins over the env vars and kubebridge.yaml, not over a request's. */
		private readonly agentImage: AgentImageChoice = {},
	) {
		this.clusterOptions = { ...defaults };
	}

	/** Where a connected session's state changes go (the connection sends them to the client). */
	onSessionEvent(listener: (event: DidChangeStateParams) => void): void {
		this.sessionListener = listener;
	}

	/** How to ask the user whether a process holding a port may be stopped; null when the client cannot ask. */
	onConfirmFreePort(ask: ConfirmFree | null): void {
		this.confirmFree = ask;
	}

	initialize(params: InitializeParams): void {
		// Command-line choices win over the client's: the user typed them for this run.
		this.clusterOptions = { ...params.cluster, ...this.clusterOptions };
		this.workspaceFolder = params.workspaceFolder ?? null;
		// Secrets a crashed session copied to this machine do not outlive it past the next start.
		const stale = removeStaleSessionFolders();
		if (stale.length > 0) this.logger.info('files', 'removed the folders of sessions whose process is gone', { folders: stale });
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

	/** The workspace file, read afresh each time so an edit counts without a restart; null without one. */
	private workspaceConfig(): LoadedConfig | null {
		return this.workspaceFolder ? loadWorkspaceConfig(this.workspaceFolder) : null;
	}

	config(): ConfigResult {
		const loaded = this.workspaceConfig();
		return { workspaceFolder: this.workspaceFolder, file: loaded?.file ?? null, config: loaded?.config ?? null, features: featuresOf(loaded?.config) };
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

	async connect(params: ConnectParams, work: Work): Promise<ConnectResult> {
		if (this.session) throw sessionActive();
		const loaded = this.workspaceConfig();
		const config = loaded?.config;
		const cluster = this.clusterAccess();
		const runtime = this.agentRuntime({ image: params.agentImage, baseImage: params.agentBaseImage }, config?.agent);
		const session = new Session(cluster, runtime,
			{ emit: (event) => this.sessionListener({ sessionId: session.id, ...event }), confirmFree: this.confirmFree }, this.logger, featuresOf(config));
		this.session = session;
		try {
			// What the client leaves out of its outbound options, the workspace file's switches decide.
			const external = loaded ? externalEndpointsOf(loaded) : [];
			const outbound = params.outbound && {
				hostsFile: session.features.hostsFile, ...params.outbound,
				...(external.length ? { externalEndpoints: [...params.outbound.externalEndpoints ?? [], ...external] } : {}),
			};
			return await session.connect({ ...params, targets: targetsWithConfig(params.targets, config?.targets), ...(outbound ? { outbound } : {}) }, work);
		} catch (error) {
			this.session = null;
			throw error;
		}
	}

	/** The agent's image and script: from the request, the command line, the env vars, kubebridge.yaml, in that order. */
	private agentRuntime(requested: AgentImageChoice, configured: AgentImageChoice | undefined): AgentRuntime {
		return chooseAgentRuntime([requested, this.agentImage, agentImageFromEnv(process.env), configured]);
	}

	async disconnect(work: Work): Promise<DisconnectResult> {
		const session = this.session;
		if (!session) throw noSession();
		const result = await session.disconnect(work);
		this.session = null;
		return result;
	}

	sessionStatus(): SessionStatusResult {
		return this.session?.status() ?? { sessionId: null, targets: [], agents: [] };
	}

	async restoreLeftovers(params: RestoreParams, work: Work): Promise<RestoreResult> {
		const cluster = this.clusterAccess();
		const namespace = params.namespace ?? cluster.namespace;
		work.progress.begin('Restoring what kubebridge left', `namespace ${namespace}`);
		try {
			const inCluster = await restoreLeftovers(cluster.objects, namespace, this.logger);
			work.progress.report('Removing what dead sessions left on this machine');
			return { ...inCluster, cleaned: await removeLocalLeftovers(params.hostsPath, this.logger) };
		} finally {
			work.progress.end();
		}
	}

	/**
	 * The environment handed to the local program: the container's as the kubelet builds
	 * it, what a session holding the target adds, and the workspace file's `env`, in that
	 * order. Every Secret value read is handed to the log's scrubber first.
	 */
	async environment(params: EnvironmentParams, work: Work): Promise<EnvironmentResult> {
		work.progress.begin('Reading the environment', params.target.service ?? params.target.workload?.name);
		try {
			const loaded = this.workspaceConfig();
			const { sources, namespace, notes, workload } = await readEnvironmentSources(this.clusterAccess(), params.target);
			this.logger.secrets.add(secretValues(sources.secrets));
			const held = this.session?.environmentFor(namespace, workload, sources.containerName) ?? NO_SESSION_ENVIRONMENT;
			const local = new Map([...(this.session?.localServices(namespace) ?? []), ...(held.localServices ?? [])]);
			const { environment: resolved, rewrites } = resolveWithLocalServices(sources, local);
			const known = new Map([...resolved.vars.map((v) => [v.name, v.value] as const), ...Object.entries(held.vars)]);
			const configured = loaded ? resolveConfigEnv(loaded, { ...held.lookups, variable: (name) => known.get(name) }) : [];
			const handed = layerEnvironment(resolved.vars, held.vars, configured, loaded?.file ?? null);
			const secret = new Set(resolved.vars.filter((v) => v.secret).map((v) => v.name));
			return {
				namespace, pod: sources.pod.metadata?.name ?? '', container: sources.containerName,
				vars: maskSecrets(handed.vars, params.reveal ?? false), skipped: resolved.skipped, notes: [...notes, ...handed.notes],
				rewrites: params.reveal ? rewrites : rewrites.map((r) => (secret.has(r.name) ? { ...r, from: '****', to: '****' } : r)),
			};
		} finally {
			work.progress.end();
		}
	}

	async exportEnvironment(params: ExportParams, work: Work): Promise<ExportResultInfo> {
		const { vars } = await this.environment({ target: params.target, reveal: true }, work);
		return exportEnvironment(params.format, vars, {
			...(params.omitUnrepresentable ? { omitUnrepresentable: true } : {}),
			...(params.profileName ? { profileName: params.profileName } : {}),
			...(params.existing !== undefined ? { existing: params.existing } : {}),
		});
	}

	async diagnostics(params: DiagnosticsParams, work: Work): Promise<DiagnosticsResult> {
		work.progress.begin('Collecting diagnostics');
		try {
			return await collectDiagnostics({
				session: this.sessionStatus(), logFile: this.logger.file, agentLogs: this.session?.podLogs.files() ?? [],
				agent: () => this.session?.runtime ?? this.agentRuntime({}, this.workspaceConfig()?.config.agent),
				cluster: () => this.clusterAccess(),
				environment: async (target) => (await this.environment({ target, reveal: true }, { ...work, progress: silentProgress })).vars,
			}, params);
		} finally {
			work.progress.end();
		}
	}

	/** Disconnects a connected session; every way out of the server comes through here. */
	async shutdown(): Promise<void> {
		const session = this.session;
		this.session = null;
		if (session) {
			this.logger.info('server', 'shutdown: disconnecting the session', { session: session.id });
			await session.disconnect({ progress: silentProgress, cancellation: { isCancellationRequested: false } });
		}
		this.logger.info('server', 'shutdown');
		this.cluster = null;
	}
}
