import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, isIPv6 } from 'node:net';
import type { Duplex } from 'node:stream';
import { hasToken } from './auth.js';
import { AGENT_ENV, AGENT_PATHS, DEFAULT_CONTROL_PORT, TUNNEL_UPGRADE } from './contract/contract.js';
import { relayOverSocket } from './contract/datagram-relay.js';
import { spliceSocket } from './contract/handoff.js';
import { log } from './log.js';
import { switchingProtocols } from './pool.js';

export type Refuse = (status: string) => void;

/** Whether the request carries the session token; a request without it is logged. */
export function authorized(req: IncomingMessage, tokenHash: string): boolean {
	if (hasToken(req, tokenHash)) return true;
	log('refused a request without the session token', { from: req.socket.remoteAddress, path: req.url });
	return false;
}

/**
 * A tunnel upgrade that carries the session token and asks for a kubebridge tunnel: its
 * URL, and how to refuse it. Null when it was refused here already.
 */
export function tunnelUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, tokenHash: string): { url: URL; refuse: Refuse } | null {
	// The HTTP server takes its error listener off an upgraded socket, and a sidecar that
	// gives up on a dial resets it (a SPDY session closed under a stream does), before the
	// splice adds its own: unheard, that error would end the agent.
	socket.on('error', () => socket.destroy());
	const refuse: Refuse = (status) => { socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`); };
	if (!authorized(req, tokenHash)) {
		refuse('401 Unauthorized');
		return null;
	}
	if (req.headers.upgrade !== TUNNEL_UPGRADE) {
		refuse('400 Bad Request');
		return null;
	}
	if (head.length > 0) socket.unshift(head);
	return { url: new URL(req.url ?? '/', 'http://agent'), refuse };
}

/** Opens a connection inside the cluster for the sidecar and joins it to the tunnel. */
export function dial(url: URL, tunnel: Duplex, refuse: Refuse): void {
	const host = url.searchParams.get('host') ?? '';
	const port = Number(url.searchParams.get('port'));
	if (!host || !Number.isInteger(port) || port < 1 || port > 65535) return refuse('400 Bad Request');
	if (url.searchParams.get('transport') === 'udp') return void dialUdp(host, port, tunnel, refuse);
	const socket = connect({ host, port, allowHalfOpen: true, noDelay: true });
	let connected = false;
	socket.once('connect', () => {
		connected = true;
		tunnel.write(switchingProtocols({}));
		spliceSocket(socket, tunnel);
	});
	socket.once('error', () => { if (!connected) refuse('502 Bad Gateway'); });
	tunnel.once('close', () => { if (!connected) socket.destroy(); });
}

/**
 * A UDP socket of its own for one flow of the sidecar's, connected to `host:port` (a name
 * resolved as the pod resolves it), so the replies of that peer alone come back to it.
 */
async function dialUdp(host: string, port: number, tunnel: Duplex, refuse: Refuse): Promise<void> {
	let address: string;
	try {
		address = (await lookup(host)).address;
	} catch {
		return refuse('502 Bad Gateway');
	}
	const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
	socket.once('error', () => refuse('502 Bad Gateway'));
	socket.connect(port, address, () => {
		socket.removeAllListeners('error');
		tunnel.write(switchingProtocols({}));
		relayOverSocket(tunnel, Buffer.alloc(0), socket);
	});
}

/**
 * The restorer's one endpoint, `/v1/dial` as the agents serve it: once a disconnect has
 * removed the agents, the sidecar still needs a pod to call the service from, as any pod
 * would, to see that the cluster's proxy routes to the originals again. Bound to
 * 127.0.0.1 (only a port-forward reaches it) and only with the session token; it only
 * dials, so it hands out nothing of the restorer's rights. Null when the sidecar gave no
 * token hash (an older sidecar): the restorer then has no endpoint at all.
 */
export async function listenForDials(env: NodeJS.ProcessEnv): Promise<Server | null> {
	const tokenHash = env[AGENT_ENV.tokenHash] ?? '';
	if (!tokenHash) return null;
	if (!/^[0-9a-f]{64}$/.test(tokenHash)) throw new Error(`${AGENT_ENV.tokenHash} must be a hex SHA-256`);
	const port = Number(env[AGENT_ENV.controlPort] || DEFAULT_CONTROL_PORT);
	if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${AGENT_ENV.controlPort} must be a TCP port`);
	const server = createServer({ keepAlive: true, requestTimeout: 0, headersTimeout: 10_000 }, (req, res) => {
		res.writeHead(authorized(req, tokenHash) ? 404 : 401).end();
	});
	server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
		const upgrade = tunnelUpgrade(req, socket, head, tokenHash);
		if (!upgrade) return;
		if (upgrade.url.pathname === AGENT_PATHS.dial) return dial(upgrade.url, socket, upgrade.refuse);
		upgrade.refuse('404 Not Found');
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve());
	});
	log('restorer dials for the sidecar', { controlPort: port });
	return server;
}
