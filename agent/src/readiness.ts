import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { MirroredProbe } from './contract/contract.js';
import { log } from './log.js';

/**
 * The pod's readiness. Until the sidecar arms it (connect has finished: every replica is
 * an agent and serving) it is the agent's own, so a connect never waits for a local
 * program that `kubebridge run` starts only afterwards. Armed, it is the replaced
 * container's readiness probe, sent to the agent's own listener so it travels through a
 * tunnel to the local program. It disarms when the sidecar's link drops: without a sidecar
 * every caller is reset anyway, and the session's restorer puts the workload back.
 */
export class ReadinessMirror {
	private armed = false;

	constructor(private readonly probe: MirroredProbe | null) {}

	/** Whether arming means anything: the replaced container had a probe the agent can mirror. */
	get mirrors(): boolean { return this.probe !== null; }

	get isArmed(): boolean { return this.armed; }

	arm(): void {
		if (!this.probe || this.armed) return;
		this.armed = true;
		log('readiness follows the local program', { port: this.probe.port, path: this.probe.path });
	}

	disarm(): void {
		if (!this.armed) return;
		this.armed = false;
		log('readiness is the agent\'s own again');
	}

	/** The answer `/readyz` gives now. */
	async ready(): Promise<boolean> {
		if (!this.probe || !this.armed) return true;
		return probeOnce(this.probe);
	}
}

/** As the kubelet judges an HTTP probe: any status from 200 to 399 within the timeout. */
function probeOnce(probe: MirroredProbe): Promise<boolean> {
	const headers: Record<string, string> = { 'user-agent': 'kube-probe/kubebridge', accept: '*/*' };
	for (const { name, value } of probe.headers) headers[name.toLowerCase()] = value;
	const options: RequestOptions = {
		host: '127.0.0.1', port: probe.port, path: probe.path, method: 'GET', headers, agent: false,
		signal: AbortSignal.timeout(probe.timeoutSeconds * 1000),
	};
	return new Promise((resolve) => {
		// The kubelet does not verify a probe's certificate either.
		const req = probe.scheme === 'HTTPS' ? httpsRequest({ ...options, rejectUnauthorized: false }) : httpRequest(options);
		req.on('response', (res) => {
			const status = res.statusCode ?? 0;
			res.resume();
			res.destroy();
			resolve(status >= 200 && status < 400);
		});
		req.on('error', () => resolve(false));
		req.end();
	});
}
