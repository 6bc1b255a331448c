import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { AGENT_PATHS } from './contract.js';
import type { TunnelPool } from './pool.js';

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

/** The kubelet's probes: the pod stays Ready while the developer sits on a breakpoint. */
export function listenForProbes(port: number): Promise<void> {
	const server = createHttpServer((req, res) => {
		res.writeHead(req.url === AGENT_PATHS.health ? 200 : 404, { 'content-type': 'text/plain' }).end('ok');
	});
	return listening(server, port);
}
