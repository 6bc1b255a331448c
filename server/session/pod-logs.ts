import { createWriteStream, type WriteStream } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { makePrivateFolder } from '../platform/private-folder.js';
import type { Logger } from '../log/logger.js';
import type { ApiEndpoint } from '../cluster/port-forward.js';

const RETRY_MS = 2000;

interface Followed {
	file: WriteStream;
	/** The last timestamp written, so a reconnect asks only for what came after. */
	since: string | null;
	response: IncomingMessage | null;
	/** Let go: the stream runs to its end but is not opened again. */
	done: boolean;
}

/**
 * Streams the logs of the session's pods in the cluster (agents, restorers) into files of
 * the session's log folder on this machine while connected, so a bug report has both sides.
 * A dropped stream is picked up again from its last timestamp until the pod is let go.
 */
export class PodLogs {
	private readonly followed = new Map<string, Followed>();
	private closed = false;

	constructor(private readonly endpoint: ApiEndpoint, readonly folder: string, private readonly logger: Logger) {}

	/** The files written so far. */
	files(): string[] {
		return [...this.followed.values()].map((f) => f.file.path.toString());
	}

	follow(namespace: string, pod: string, container: string): void {
		const key = `${namespace}/${pod}/${container}`;
		if (this.closed || this.followed.has(key)) return;
		makePrivateFolder(this.folder);
		const file = createWriteStream(join(this.folder, `${namespace}_${pod}_${container}.log`), { flags: 'a', mode: 0o600 });
		file.on('error', (error) => this.logger.warning('diagnostics', 'cannot write a pod log', { pod, error: error.message }));
		this.followed.set(key, { file, since: null, response: null, done: false });
		void this.open(key, namespace, pod, container);
	}

	/** The pod went away: what its log still sends is kept, and it is not followed again. */
	letGo(namespace: string, pod: string): void {
		for (const [key, followed] of this.followed) if (key.startsWith(`${namespace}/${pod}/`)) followed.done = true;
	}

	close(): void {
		this.closed = true;
		for (const followed of this.followed.values()) {
			followed.response?.destroy();
			followed.file.end();
		}
	}

	private async open(key: string, namespace: string, pod: string, container: string): Promise<void> {
		const followed = this.followed.get(key);
		if (!followed || followed.done || this.closed) return;
		const query = new URLSearchParams({ container, follow: 'true', timestamps: 'true', ...(followed.since ? { sinceTime: followed.since } : {}) });
		const again = (): void => { if (!this.closed && !followed.done) setTimeout(() => void this.open(key, namespace, pod, container), RETRY_MS).unref(); };
		try {
			const response = await this.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log?${query}`);
			// Closed while the request was on its way: close() could not reach this stream.
			if (this.closed) {
				response.destroy();
				return;
			}
			if (response.statusCode === 404 || response.statusCode === 403) {
				response.resume();
				// A pod that is gone has no more log; without `pods/log` no pod has one to give.
				if (response.statusCode === 403) this.logger.warning('diagnostics', `cannot read the log of ${pod}: pods/log is not allowed`, { namespace });
				return;
			}
			if (response.statusCode !== 200) {
				response.resume();
				again();
				return;
			}
			followed.response = response;
			let partial = '';
			response.setEncoding('utf8');
			response.on('data', (text: string) => {
				const lines = (partial + text).split('\n');
				partial = lines.pop() ?? '';
				for (const line of lines) {
					const stamp = /^(\S+) /.exec(line)?.[1];
					// A reconnect from `since` repeats the line carrying that timestamp.
					if (stamp && followed.since && stamp <= followed.since) continue;
					if (stamp) followed.since = stamp;
					followed.file.write(`${line}\n`);
				}
			});
			response.on('close', again);
		} catch (error) {
			this.logger.debug('diagnostics', `pod log of ${pod} not reachable`, { error: (error as Error).message });
			again();
		}
	}

	private async get(path: string): Promise<IncomingMessage> {
		const server = new URL(this.endpoint.server);
		const options = await this.endpoint.options() as RequestOptions;
		const request = server.protocol === 'http:' ? httpRequest : httpsRequest;
		return new Promise((resolve, reject) => {
			const req = request({ ...options, method: 'GET', host: server.hostname, port: server.port || (server.protocol === 'http:' ? 80 : 443),
				path: `${server.pathname.replace(/\/$/, '')}${path}` }, resolve);
			req.on('error', reject);
			req.end();
		});
	}
}
