import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { ErrorCodes, type ClusterOptions, type ContextInfo } from '../../protocol/index.js';
import { KubebridgeError } from '../errors.js';
import { pathsOf } from '../platform/platform-paths.js';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface LoadedKubeConfig {
	config: KubeConfig;
	/** The files read, or `in-cluster`. */
	sources: string[];
	context: string;
	namespace: string;
	server: string | null;
	/** The current user's credential plugin: an exec command or an auth provider's name. */
	authPlugin: string | null;
}

function kubeconfigError(reason: 'kubeconfigNotFound' | 'kubeconfigInvalid' | 'contextNotFound', message: string, hint: string, context?: string): KubebridgeError {
	return new KubebridgeError(ErrorCodes.KubeconfigInvalid, { reason, hint, ...(context ? { context } : {}) }, message);
}

/**
 * The kubeconfig files the usual rules pick, in order: option, `KUBECONFIG` (`;`-separated on
 * Windows), `~/.kube/config` (`%USERPROFILE%\.kube\config` on Windows, as Node's homedir is).
 */
export function kubeconfigSources(
	options: ClusterOptions, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env,
	home: string = homedir(), exists: (file: string) => boolean = existsSync,
): string[] {
	if (options.kubeconfig) return [options.kubeconfig];
	const paths = pathsOf(platform);
	const fromEnv = (env.KUBECONFIG ?? '').split(paths.delimiter).filter(Boolean);
	if (fromEnv.length > 0) return fromEnv;
	const file = paths.join(home, '.kube', 'config');
	return exists(file) ? [file] : [];
}

/**
 * Loads the kubeconfig the way kubectl picks it and applies the chosen context, turning
 * every way this can fail into a typed error that names the file or context.
 */
export function loadKubeConfig(options: ClusterOptions): LoadedKubeConfig {
	const config = new KubeConfig();
	let sources = kubeconfigSources(options);
	const missing = sources.filter((file) => !existsSync(file));
	if (missing.length > 0 && missing.length === sources.length) {
		throw kubeconfigError('kubeconfigNotFound', `Kubeconfig file ${missing.join(', ')} does not exist.`,
			'Pass --kubeconfig with an existing file, or fix KUBECONFIG.');
	}
	try {
		if (options.kubeconfig) config.loadFromFile(options.kubeconfig);
		else if (sources.length > 0) config.loadFromDefault();
		else if (existsSync(SERVICE_ACCOUNT_TOKEN)) {
			config.loadFromCluster();
			sources = ['in-cluster'];
		} else {
			throw kubeconfigError('kubeconfigNotFound', 'No kubeconfig found: KUBECONFIG is unset and ~/.kube/config does not exist.',
				'Pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config.');
		}
	} catch (error) {
		if (error instanceof KubebridgeError) throw error;
		throw kubeconfigError('kubeconfigInvalid', `Cannot read kubeconfig ${sources.join(', ')}: ${(error as Error).message}`,
			'Check that the file is a valid kubeconfig (kubectl config view).');
	}
	if (options.context) {
		if (!config.getContextObject(options.context)) {
			const known = config.getContexts().map((c) => c.name);
			throw kubeconfigError('contextNotFound', `Context '${options.context}' is not in the kubeconfig.`,
				known.length > 0 ? `Known contexts: ${known.join(', ')}.` : 'The kubeconfig has no contexts.', options.context);
		}
		config.setCurrentContext(options.context);
	}
	const context = config.getCurrentContext();
	if (!context || !config.getContextObject(context)) {
		throw kubeconfigError('contextNotFound', 'The kubeconfig has no current context.',
			'Pass --context, or set one with kubectl config use-context.');
	}
	const namespace = options.namespace ?? config.getContextObject(context)?.namespace ?? 'default';
	const user = config.getCurrentUser();
	const authPlugin = user?.exec?.command ?? user?.authProvider?.name ?? null;
	return { config, sources, context, namespace, server: config.getCurrentCluster()?.server ?? null, authPlugin };
}

export function describeContexts(loaded: LoadedKubeConfig): ContextInfo[] {
	return loaded.config.getContexts().map((c) => ({
		name: c.name,
		cluster: c.cluster,
		user: c.user,
		namespace: c.namespace ?? null,
		server: loaded.config.getCluster(c.cluster)?.server ?? null,
		current: c.name === loaded.context,
	}));
}
