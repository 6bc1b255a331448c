import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
import { requestCancelled } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { clusterTimeout, toClusterError, type CallTarget } from './api-errors.js';
import { callerSignal } from './call-scope.js';
import type { HttpsOptions } from './https-options.js';
import type { LoadedKubeConfig } from './kube-config.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

/**
 * JSON requests to the API server with the kubeconfig's TLS and credentials, as plain
 * objects both ways: what is read is written back byte for byte, no model classes in
 * between. A server that accepts the connection and then says nothing fails after the
 * timeout, and a call made for a request that is cancelled (call-scope.ts) is dropped,
 * its HTTP request aborted, so nothing is left waiting on a dead connection. Every failure
 * is a typed cluster error that names the context and what was being done.
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
		const cancelled = callerSignal();
		const started = Date.now();
		try {
			const result = await this.send<T>(method, path, body, cancelled);
			this.logger.debug('cluster', action, { ms: Date.now() - started });
			return result;
		} catch (error) {
			if (cancelled?.aborted) {
				this.logger.info('cluster', `${action}: dropped, the request was cancelled`, { ms: Date.now() - started });
				throw requestCancelled();
			}
			const mapped = error instanceof TimeoutError ? clusterTimeout(target, this.timeoutMs) : toClusterError(error, target);
			this.logger.warning('cluster', mapped.message, { reason: mapped.reason, ms: Date.now() - started });
			throw mapped;
		}
	}

	private async send<T>(method: string, path: string, body: unknown, signal: AbortSignal | undefined): Promise<T> {
		const server = new URL(this.loaded.server ?? '');
		const base = await this.requestOptions();
		signal?.throwIfAborted();
		const payload = body === undefined ? undefined : JSON.stringify(body);
		const request = server.protocol === 'http:' ? httpRequest : httpsRequest;
		return new Promise<T>((resolve, reject) => {
			const req = request({
				...base, method, host: server.hostname, port: server.port || (server.protocol === 'http:' ? 80 : 443),
				path: `${server.pathname.replace(/\/$/, '')}${path}`, timeout: this.timeoutMs, ...(signal ? { signal } : {}),
				// Node frames no body of a DELETE by itself: without a length its bytes would be read as the next request on the connection.
				headers: { ...base.headers, accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
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

	/**
	 * Follows `path` with `watch=1`: `onEvent` for each event line the API server sends,
	 * `onEnd` once the stream is over (with the HTTP status when it was refused, e.g. 403
	 * without the `watch` verb). The returned function ends it.
	 */
	stream(path: string, onEvent: (event: { type: string; object?: unknown }) => void, onEnd: (status: number | null) => void): () => void {
		const server = new URL(this.loaded.server ?? '');
		const request = server.protocol === 'http:' ? httpRequest : httpsRequest;
		const controller = new AbortController();
		let ended = false;
		const end = (status: number | null) => { if (!ended) { ended = true; onEnd(status); } };
		void this.requestOptions().then((base) => {
			if (controller.signal.aborted) return end(null);
			const req = request({
				...base, method: 'GET', host: server.hostname, port: server.port || (server.protocol === 'http:' ? 80 : 443),
				path: `${server.pathname.replace(/\/$/, '')}${path}${path.includes('?') ? '&' : '?'}watch=1`, signal: controller.signal,
				headers: { ...base.headers, accept: 'application/json' },
			}, (res) => {
				if ((res.statusCode ?? 0) >= 400) {
					res.resume();
					return end(res.statusCode ?? 0);
				}
				let rest = '';
				res.setEncoding('utf8');
				res.on('data', (text: string) => {
					const lines = (rest + text).split('\n');
					rest = lines.pop()!;
					for (const line of lines.filter(Boolean)) {
						try { onEvent(JSON.parse(line)); } catch { /* a line that is not JSON carries no event */ }
					}
				});
				res.on('close', () => end(null));
			});
			req.on('error', () => end(null));
			req.end();
		}, () => end(null));
		return () => controller.abort();
	}
}

class TimeoutError extends Error {}
