import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ApiException } from '@kubernetes/client-node';
import type { Logger } from '../log/logger.js';
import { clusterTimeout, toClusterError, type CallTarget } from './api-errors.js';
import type { HttpsOptions } from './https-options.js';
import type { LoadedKubeConfig } from './kube-config.js';

/**
 * JSON requests to the API server with the kubeconfig's TLS and credentials, as plain
 * objects both ways: what is read is written back byte for byte, no model classes in
 * between. Every failure is a typed cluster error.
 */
export class JsonApi {
	constructor(
		private readonly loaded: LoadedKubeConfig,
		private readonly logger: Logger,
		private readonly timeoutMs: number,
		private readonly requestOptions: () => Promise<HttpsOptions>,
	) {}

	async call<T>(method: string, path: string, action: string, body?: unknown): Promise<T> {
		const target: CallTarget = { context: this.loaded.context, server: this.loaded.server, action, authPlugin: this.loaded.authPlugin };
		const started = Date.now();
		try {
			const result = await this.send<T>(method, path, body);
			this.logger.debug('cluster', action, { ms: Date.now() - started });
			return result;
		} catch (error) {
			const mapped = error instanceof TimeoutError ? clusterTimeout(target, this.timeoutMs) : toClusterError(error, target);
			this.logger.warning('cluster', mapped.message, { reason: mapped.reason, ms: Date.now() - started });
			throw mapped;
		}
	}

	private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
		const server = new URL(this.loaded.server ?? '');
		const base = await this.requestOptions();
		const payload = body === undefined ? undefined : JSON.stringify(body);
		const request = server.protocol === 'http:' ? httpRequest : httpsRequest;
		return new Promise<T>((resolve, reject) => {
			const req = request({
				...base, method, host: server.hostname, port: server.port || (server.protocol === 'http:' ? 80 : 443),
				path: `${server.pathname.replace(/\/$/, '')}${path}`, timeout: this.timeoutMs,
				headers: { ...base.headers, accept: 'application/json', ...(payload ? { 'content-type': 'application/json' } : {}) },
			}, (res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					const status = res.statusCode ?? 0;
					if (status >= 400) return reject(new ApiException(status, `HTTP ${status}`, text, res.headers as Record<string, string>));
					try {
						resolve(JSON.parse(text) as T);
					} catch (error) {
						reject(error);
					}
				});
				res.on('error', reject);
			});
			req.on('timeout', () => req.destroy(new TimeoutError()));
			req.on('error', reject);
			req.end(payload);
		});
	}
}

class TimeoutError extends Error {}
