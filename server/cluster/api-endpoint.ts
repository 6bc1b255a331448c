import type { KubeConfig } from '@kubernetes/client-node';
import type { HttpsOptions } from './https-options.js';
import type { ApiEndpoint } from './port-forward.js';

/** The API server as the kubeconfig reaches it, for port-forwards. */
export function apiEndpoint(config: KubeConfig, options: () => Promise<HttpsOptions>): ApiEndpoint {
	const server = config.getCurrentCluster()?.server;
	if (!server) throw new Error('the kubeconfig names no server');
	return { server, options };
}
