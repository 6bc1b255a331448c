import { readFileSync } from 'node:fs';
import { request } from 'node:https';

const ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface ApiAnswer { status: number; body: any }

/**
 * The API server as the pod's service account sees it, over plain HTTPS: the restorer
 * needs a handful of calls, not a client library.
 */
export class InClusterApi {
	private readonly host = process.env.KUBERNETES_SERVICE_HOST ?? '';
	private readonly port = Number(process.env.KUBERNETES_SERVICE_PORT ?? 443);
	private readonly ca = readFileSync(`${ACCOUNT}/ca.crt`);
	readonly namespace = readFileSync(`${ACCOUNT}/namespace`, 'utf8').trim();

	call(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
		// The token file is rotated by the kubelet; read it per call.
		const token = readFileSync(`${ACCOUNT}/token`, 'utf8').trim();
		const payload = body === undefined ? undefined : JSON.stringify(body);
		return new Promise((resolve, reject) => {
			const req = request({
				host: this.host, port: this.port, path, method, ca: this.ca, timeout: 10_000,
				headers: { authorization: `Bearer ${token}`, accept: 'application/json',
					...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
			}, (res) => {
				let text = '';
				res.setEncoding('utf8');
				res.on('data', (chunk: string) => { text += chunk; });
				res.on('end', () => {
					let parsed: unknown = text;
					try { parsed = JSON.parse(text); } catch { /* a non-JSON error body stays text */ }
					resolve({ status: res.statusCode ?? 0, body: parsed });
				});
			});
			req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
			req.on('error', reject);
			req.end(payload);
		});
	}
}
