import type { KubeConfig } from '@kubernetes/client-node';
import type WebSocket from 'ws';
import type { ApiEndpoint } from './port-forward.js';

/** Credentials from exec plugins expire; options are rebuilt this often. */
const REFRESH_MS = 60_000;

/**
 * The API server as the kubeconfig reaches it. client-node builds the TLS and auth options
 * (exec plugins included); they are kept for a minute so a burst of forwards shares one
 * TLS agent instead of making one each.
 */
export function apiEndpoint(config: KubeConfig): ApiEndpoint {
	const server = config.getCurrentCluster()?.server;
	if (!server) throw new Error('the kubeconfig names no server');
	let cached: { at: number; options: Promise<WebSocket.ClientOptions> } | null = null;
	return {
		server,
		options() {
			if (!cached || Date.now() - cached.at > REFRESH_MS) {
				const options: WebSocket.ClientOptions = {};
				cached = { at: Date.now(), options: config.applyToHTTPSOptions(options).then(() => options) };
				cached.options.catch(() => { cached = null; });
			}
			return cached.options;
		},
	};
}
