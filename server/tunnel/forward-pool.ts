import type { Duplex } from 'node:stream';
import type { AgentAddress } from './agent-exchange.js';
import type { ApiEndpoint } from '../cluster/port-forward.js';
import { PodStreams } from '../cluster/pod-streams.js';

/**
 * How many open forwards wait per agent, and how long one may wait unused: less than the
 * agent's 10 s limit for a request's headers, past which it answers 408 and closes the
 * connection, which a SPDY stream nobody reads yet does not show until it is taken.
 */
const WARM_FORWARDS = 2;
const IDLE_MS = 8_000;

/**
 * Port-forwards to one agent's control port, opened ahead of need. A new outbound
 * connection otherwise waits for a round trip through the API server and the kubelet (a
 * TLS handshake too, where the API server does not take SPDY) before its first byte; a
 * forward already open leaves only the agent's own dial. The pool stays warm only while it is used: each forward taken is replaced, and one
 * left unused for `idleMs` is closed and not replaced, so a quiet session holds none.
 */
export class ForwardPool {
	private readonly idle = new Map<Duplex, { timer: NodeJS.Timeout; drop: () => void }>();
	private opening = 0;
	private closed = false;

	constructor(readonly open: (signal?: AbortSignal) => Promise<Duplex>, private readonly size = WARM_FORWARDS, private readonly idleMs = IDLE_MS) {}

	/** An open forward, `warm` when it was waiting here; the pool refills behind it either way. */
	async take(signal?: AbortSignal): Promise<{ forward: Duplex; warm: boolean }> {
		const warm = this.idle.keys().next().value;
		if (warm) {
			this.release(warm);
			this.refill();
			return { forward: warm, warm: true };
		}
		// The caller's own forward is asked for before the ones to keep.
		const opening = this.open(signal);
		this.refill();
		return { forward: await opening, warm: false };
	}

	/** How many forwards wait now. */
	get waiting(): number {
		return this.idle.size;
	}

	close(): void {
		this.closed = true;
		for (const forward of [...this.idle.keys()]) {
			this.release(forward);
			forward.destroy();
		}
	}

	private refill(): void {
		while (!this.closed && this.idle.size + this.opening < this.size) {
			this.opening++;
			// A failed refill is not an error of anyone's yet: the next take opens its own and reports it.
			this.open().then((forward) => this.keep(forward), () => undefined).finally(() => { this.opening--; });
		}
	}

	private keep(forward: Duplex): void {
		if (this.closed) {
			forward.destroy();
			return;
		}
		const drop = (): void => {
			this.release(forward);
			forward.destroy();
		};
		forward.once('close', drop);
		forward.once('error', drop);
		this.idle.set(forward, { timer: setTimeout(drop, this.idleMs).unref(), drop });
	}

	/** Out of the pool, with the pool's listeners gone: the taker handles its errors from here. */
	private release(forward: Duplex): void {
		const entry = this.idle.get(forward);
		if (!entry) return;
		clearTimeout(entry.timer);
		forward.off('close', entry.drop);
		forward.off('error', entry.drop);
		this.idle.delete(forward);
	}
}

/** One pool per agent pod the session dials through, each connection a port-forward session of its own, closed with the session. */
export class DialPools {
	private readonly pools = new Map<string, ForwardPool>();
	private readonly streams: PodStreams;

	constructor(endpoint: ApiEndpoint) {
		this.streams = PodStreams.over(endpoint);
	}

	of(agent: AgentAddress): ForwardPool {
		const key = `${agent.namespace}/${agent.pod}`;
		let pool = this.pools.get(key);
		if (!pool) {
			pool = new ForwardPool((signal) => this.streams.open({ namespace: agent.namespace, pod: agent.pod, port: agent.controlPort }, signal));
			this.pools.set(key, pool);
		}
		return pool;
	}

	close(): void {
		for (const pool of this.pools.values()) pool.close();
		this.pools.clear();
		this.streams.close();
	}
}
