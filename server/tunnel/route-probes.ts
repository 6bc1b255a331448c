import { randomBytes } from 'node:crypto';
import { ChunkedEncoder } from '../../agent/src/contract/chunked.js';
import type { Tunnel } from './agent-exchange.js';

/**
 * The first bytes of a probe. Readable on purpose: an original pod a stale proxy rule
 * still sends a probe to may log them, and whoever reads that log should see what it was.
 */
const PREFIX = Buffer.from('KUBEBRIDGE-ROUTE-PROBE ', 'latin1');
const NONCE_HEX = 32;
const MARKER_LENGTH = PREFIX.length + NONCE_HEX + 2;
/** After the dialled connection closed, how long its marker may still be on its way through an agent. */
const CLOSE_GRACE_MS = 500;
/**
 * How long after a probe gave up on its marker the marker may still reach an agent: it was
 * written, and a slow hop (a new port-forward to an agent whose idle tunnels ran out) can
 * hand it on seconds later. Unlooked-at, it would reach the local process as a caller.
 */
const LATE_MARKER_MS = 5000;

/** What a caller's first bytes say: a probe (caught), a real caller, or too few bytes to tell. */
export type ProbeVerdict = 'probe' | 'caller' | 'undecided';

/** What an agent link asks about the callers it is handed. */
export interface ProbeCatcher {
	/** Whether probes may be on their way: only then are callers' first bytes looked at. */
	readonly watching: boolean;
	/** Judges a caller's first bytes; a probe's marker is caught for the agent pod `pod`. */
	judge(bytes: Buffer, pod: string): ProbeVerdict;
}

/**
 * The sidecar's own connections to a service, told apart from real callers when they
 * reach an agent: each sends a marker with a fresh nonce, and the agent link that gets it
 * drops the connection instead of handing it to the local process. Which agent pod caught
 * a probe, if any, says where the cluster's proxy sent it.
 */
export class RouteProbes implements ProbeCatcher {
	private readonly pending = new Map<string, (pod: string) => void>();
	private rounds = 0;
	private lateUntil = 0;

	constructor(private readonly lateMarkerMs = LATE_MARKER_MS) {}

	/** While probes run, and for a while after one was given up on (`expectLate`). */
	get watching(): boolean {
		return this.rounds > 0 || Date.now() < this.lateUntil;
	}

	/** Runs `work` with callers' first bytes looked at. */
	async watch<T>(work: () => Promise<T>): Promise<T> {
		this.rounds++;
		try {
			return await work();
		} finally {
			this.rounds--;
		}
	}

	/**
	 * A probe was given up on where its connection may still reach an agent: a marker on its
	 * way, or a dial abandoned while the cluster was still connecting it. Either is dropped
	 * when it arrives within `lateMarkerMs`, instead of reaching the local process.
	 */
	expectLate(): void {
		this.lateUntil = Math.max(this.lateUntil, Date.now() + this.lateMarkerMs);
	}

	judge(bytes: Buffer, pod: string): ProbeVerdict {
		const head = bytes.subarray(0, PREFIX.length);
		if (!PREFIX.subarray(0, head.length).equals(head)) return 'caller';
		if (bytes.length < MARKER_LENGTH) return 'undecided';
		const nonce = bytes.toString('latin1', PREFIX.length, PREFIX.length + NONCE_HEX);
		const ending = bytes.toString('latin1', PREFIX.length + NONCE_HEX, MARKER_LENGTH);
		if (!/^[0-9a-f]+$/.test(nonce) || ending !== '\r\n') return 'caller';
		this.pending.get(nonce)?.(pod);
		return 'probe';
	}

	/**
	 * Sends a marker through `tunnel`, already dialled to a service, and resolves with the
	 * agent pod that caught it, or null when none did within `ms`: the connection went
	 * somewhere else. The tunnel is closed either way.
	 */
	send(tunnel: Tunnel, ms: number): Promise<string | null> {
		const nonce = randomBytes(NONCE_HEX / 2).toString('hex');
		return new Promise((resolve) => {
			let grace: NodeJS.Timeout | null = null;
			let settled = false;
			const done = (pod: string | null): void => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				if (grace) clearTimeout(grace);
				this.pending.delete(nonce);
				tunnel.socket.destroy();
				resolve(pod);
			};
			const givenUp = (): void => {
				if (settled) return;
				this.expectLate();
				done(null);
			};
			const timer = setTimeout(givenUp, ms);
			this.pending.set(nonce, done);
			tunnel.socket.on('error', () => undefined);
			// An agent sends nothing back: the link that catches the marker never hands it on.
			// Anything that answers (an original's error page, a greeting) is something else.
			if (tunnel.head.length > 0) return done(null);
			tunnel.socket.once('data', () => done(null));
			tunnel.socket.once('close', () => { grace ??= setTimeout(givenUp, CLOSE_GRACE_MS); });
			const encoder = new ChunkedEncoder();
			encoder.pipe(tunnel.socket, { end: false });
			encoder.write(Buffer.concat([PREFIX, Buffer.from(`${nonce}\r\n`, 'latin1')]));
		});
	}
}
