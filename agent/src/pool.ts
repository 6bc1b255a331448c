import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AGENT_HEADERS, TUNNEL_UPGRADE } from './contract/contract.js';
import { spliceSocket } from './contract/handoff.js';

interface WaitingCaller { socket: Socket; port: number; timer: NodeJS.Timeout }

/** How long a caller may wait for the sidecar to open a tunnel before it is reset. */
const WAIT_FOR_TUNNEL_MS = 10_000;

function idleBytes(this: Duplex): void {
	this.destroy(new Error('the sidecar wrote to an idle tunnel'));
}

/** The 101 that turns an idle tunnel into a caller's connection. */
export function switchingProtocols(headers: Record<string, string>): string {
	const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
	return `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${TUNNEL_UPGRADE}\r\n${lines}\r\n`;
}

/**
 * Tunnels the sidecar opened ahead of time, and callers waiting for one. A caller takes
 * an idle tunnel at once; when none is idle it waits while the sidecar is connected, and
 * is reset at once when no sidecar is there to open one.
 */
export class TunnelPool {
	private readonly idle: Duplex[] = [];
	private readonly waiting: WaitingCaller[] = [];
	active = 0;

	constructor(
		private readonly sidecarExpected: () => boolean,
		private readonly onWaiting: (count: number) => void,
	) {}

	get idleCount(): number { return this.idle.length; }

	offerTunnel(tunnel: Duplex): void {
		const caller = this.waiting.shift();
		if (caller) {
			clearTimeout(caller.timer);
			this.join(caller.socket, caller.port, tunnel);
			return;
		}
		this.idle.push(tunnel);
		const forget = (): void => {
			const at = this.idle.indexOf(tunnel);
			if (at >= 0) this.idle.splice(at, 1);
		};
		tunnel.once('close', forget);
		tunnel.once('error', forget);
		// An idle tunnel is read so that a forward dropped on the way (API server restart)
		// is noticed and never handed to a caller; the sidecar sends nothing before the 101.
		tunnel.on('data', idleBytes);
		tunnel.once('end', () => tunnel.destroy());
		tunnel.resume();
	}

	offerCaller(socket: Socket, port: number): void {
		const tunnel = this.idle.shift();
		if (tunnel) {
			this.join(socket, port, tunnel);
			return;
		}
		if (!this.sidecarExpected()) {
			socket.resetAndDestroy();
			return;
		}
		socket.pause();
		const caller: WaitingCaller = {
			socket, port,
			timer: setTimeout(() => {
				this.waiting.splice(this.waiting.indexOf(caller), 1);
				socket.resetAndDestroy();
			}, WAIT_FOR_TUNNEL_MS),
		};
		socket.once('close', () => {
			const at = this.waiting.indexOf(caller);
			if (at >= 0) {
				clearTimeout(caller.timer);
				this.waiting.splice(at, 1);
			}
		});
		this.waiting.push(caller);
		this.onWaiting(this.waiting.length);
	}

	private join(socket: Socket, port: number, tunnel: Duplex): void {
		tunnel.off('data', idleBytes);
		tunnel.pause();
		this.active++;
		socket.once('close', () => { this.active--; });
		tunnel.write(switchingProtocols({
			[AGENT_HEADERS.port]: String(port),
			[AGENT_HEADERS.peer]: `${socket.remoteAddress}:${socket.remotePort}`,
		}));
		socket.resume();
		spliceSocket(socket, tunnel);
	}
}
