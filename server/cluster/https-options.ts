import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type WebSocket from 'ws';

export type HttpsOptions = RequestOptions & WebSocket.ClientOptions;

/** Credentials from exec plugins expire; options are rebuilt this often. */
const REFRESH_MS = 60_000;

/**
 * The kubeconfig's TLS and credential options for plain HTTPS and WebSocket requests,
 * built by client-node (exec plugins included) and kept for a minute, so the API calls
 * and a burst of port-forwards share one TLS agent instead of making one each.
 */
export function cachedHttpsOptions(config: KubeConfig): () => Promise<HttpsOptions> {
	let cached: { at: number; options: Promise<HttpsOptions> } | null = null;
	return () => {
		if (!cached || Date.now() - cached.at > REFRESH_MS) {
			const options: HttpsOptions = {};
			const entry = { at: Date.now(), options: config.applyToHTTPSOptions(options).then(() => options) };
			cached = entry;
			entry.options.catch(() => { if (cached === entry) cached = null; });
		}
		return cached.options;
	};
}
