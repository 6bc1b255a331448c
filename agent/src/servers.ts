import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { AGENT_PATHS } from './contract/contract.js';
import type { TunnelPool } from './pool.js';
import type { ReadinessMirror } from './readiness.js';

function listening(server: { listen(port: number, cb: () => void): unknown; once(event: 'error', cb: (e: Error) => void): unknown }, port: number): Promise<void> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, () => resolve());
	});
}

/**
 * The ports the replaced container served, on all addresses: the Service, other pods and
 * the kubelet reach the agent there. Half-open is allowed so a caller's FIN travels alone.
 */
export async function listenOnAppPorts(ports: number[], pool: TunnelPool): Promise<void> {
	await Promise.all(ports.map((port) => listening(
		createTcpServer({ allowHalfOpen: true, noDelay: true }, (socket) => pool.offerCaller(socket, port)), port)));
}

/**
 * The kubelet's probes. Liveness is always the agent's own: a local program stopped at a
 * breakpoint must not make the kubelet restart the agent and end the session. Readiness
 * is the agent's own too unless `readiness` mirrors the replaced container's probe.
 */
export function listenForProbes(port: number, readiness: ReadinessMirror): Promise<void> {
	const server = createHttpServer((req, res) => {
		const answer = (ok: boolean): void => { res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'not ready'); };
		if (req.url === AGENT_PATHS.health) return answer(true);
		if (req.url === AGENT_PATHS.ready) return void readiness.ready().then(answer);
		res.writeHead(404).end();
	});
	return listening(server, port);
}
