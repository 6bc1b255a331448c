import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { AGENT_PATHS } from './contract/contract.js';
import { DatagramFlows } from './contract/datagram-flows.js';
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
 * The UDP ports the replaced container served, on all addresses: each sender's datagrams
 * travel to the sidecar in a tunnel of their own, and the replies come back from the port
 * the sender sent to, as they would from the container.
 */
export async function listenOnUdpPorts(ports: number[], pool: TunnelPool): Promise<DatagramFlows[]> {
	return Promise.all(ports.map(async (port) => {
		const socket = await boundUdp(port);
		// A send that fails is a lost datagram; the socket itself stays up.
		socket.on('error', () => undefined);
		return new DatagramFlows(socket, async (sender) => ({
			socket: await pool.tunnelForFlow(port, `${sender.address}:${sender.port}`), head: Buffer.alloc(0),
		}));
	}));
}

/** A UDP socket on `port` of every address: IPv6 and IPv4 where the pod has IPv6, else IPv4 alone. */
async function boundUdp(port: number): Promise<DgramSocket> {
	const bind = (socket: DgramSocket): Promise<DgramSocket> => new Promise((resolve, reject) => {
		socket.once('error', reject);
		socket.bind(port, () => {
			socket.off('error', reject);
			resolve(socket);
		});
	});
	try {
		return await bind(createSocket({ type: 'udp6', ipv6Only: false }));
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw error;
		return bind(createSocket('udp4'));
	}
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
