import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AGENT_HEADERS, TUNNEL_UPGRADE } from './contract/contract.js';
import { spliceSocket } from './contract/handoff.js';

/** What waits for a tunnel: a TCP caller, or the first datagram of a UDP sender. */
export interface TunnelClaim {
	/** The agent port it reached. */
	port: number;
	/** Its address as the agent saw it, `address:port`. */
	peer: string;
	udp: boolean;
	/** The tunnel is its own from here, after the 101. */
	attach(tunnel: Duplex): void;
	/** No tunnel for it: no sidecar is there, or none came in time. */
	refuse(): void;
	/** Calls `listener` once when it is over (the caller closed, the flow ended). */
	onGone(listener: () => void): void;
}

interface Waiting { claim: TunnelClaim; timer: NodeJS.Timeout }

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
 * Tunnels the sidecar opened ahead of time, and callers waiting for one (a TCP connection,
 * or a UDP sender's first datagram). A caller takes an idle tunnel at once; when none is idle it waits while the sidecar is connected, and
 * is reset at once when no sidecar is there to open one.
 */
export class TunnelPool {
	private readonly idle: Duplex[] = [];
	private readonly waiting: Waiting[] = [];
	active = 0;

	constructor(
		private readonly sidecarExpected: () => boolean,
		private readonly onWaiting: (count: number) => void,
	) {}

	get idleCount(): number { return this.idle.length; }

	offerTunnel(tunnel: Duplex): void {
		const waiting = this.waiting.shift();
		if (waiting) {
			clearTimeout(waiting.timer);
			this.join(waiting.claim, tunnel);
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
		socket.pause();
		// A caller that resets while it waits for a tunnel (a route probe given up on) must
		// not end the agent with an error nobody hears; the splice listens from then on.
		const early = (): void => { socket.destroy(); };
		socket.on('error', early);
		this.claim({
			port, peer: `${socket.remoteAddress}:${socket.remotePort}`, udp: false,
			attach: (tunnel) => {
				socket.off('error', early);
				socket.resume();
				spliceSocket(socket, tunnel);
			},
			refuse: () => socket.resetAndDestroy(),
			onGone: (listener) => socket.once('close', listener),
		});
	}

	/** A tunnel for the datagrams of a new UDP sender; rejects when none is to be had. */
	tunnelForFlow(port: number, peer: string): Promise<Duplex> {
		return new Promise((resolve, reject) => {
			const gone: (() => void)[] = [];
			this.claim({
				port, peer, udp: true,
				attach: (tunnel) => {
					tunnel.once('close', () => { for (const listener of gone) listener(); });
					resolve(tunnel);
				},
				refuse: () => reject(new Error('no tunnel for the flow')),
				onGone: (listener) => { gone.push(listener); },
			});
		});
	}

	/** An idle tunnel at once; else a wait while a sidecar is expected to open one, else a refusal. */
	private claim(claim: TunnelClaim): void {
		const tunnel = this.idle.shift();
		if (tunnel) {
			this.join(claim, tunnel);
			return;
		}
		if (!this.sidecarExpected()) {
			claim.refuse();
			return;
		}
		const waiting: Waiting = {
			claim,
			timer: setTimeout(() => {
				this.waiting.splice(this.waiting.indexOf(waiting), 1);
				claim.refuse();
			}, WAIT_FOR_TUNNEL_MS),
		};
		claim.onGone(() => {
			const at = this.waiting.indexOf(waiting);
			if (at >= 0) {
				clearTimeout(waiting.timer);
				this.waiting.splice(at, 1);
			}
		});
		this.waiting.push(waiting);
		this.onWaiting(this.waiting.length);
	}

	private join(claim: TunnelClaim, tunnel: Duplex): void {
		tunnel.off('data', idleBytes);
		tunnel.pause();
		this.active++;
		claim.onGone(() => { this.active--; });
		tunnel.write(switchingProtocols({
			[AGENT_HEADERS.port]: String(claim.port),
			[AGENT_HEADERS.peer]: claim.peer,
			...(claim.udp ? { [AGENT_HEADERS.transport]: 'udp' } : {}),
		}));
		claim.attach(tunnel);
	}
}
