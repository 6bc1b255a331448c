import { Duplex } from 'node:stream';
import { FLAG_FIN, RstStatus, dataHeader, rstStream } from './frames.js';
import { StreamReset } from './spdy-errors.js';

/** What a stream needs of its session. */
export interface StreamOwner {
	readonly options: { peerFlowControl: boolean };
	write(frame: Buffer): void;
	/** Sends a data frame; `done` once the connection takes more (its buffer is below its mark). */
	writeData(header: Buffer, payload: Buffer[], done: () => void): void;
	/** How many bytes this stream may send now (its window and the session's). */
	sendAllowance(stream: SpdyStream): number;
	spent(length: number): void;
	/** The reader took `length` bytes: the peer may send that much more. */
	consumed(stream: SpdyStream, length: number): void;
	/** While any stream holds more than its window unread, the connection is not read. */
	hold(stream: SpdyStream, holding: boolean): void;
	forget(stream: SpdyStream): void;
}

/** What each stream may hold unread: the window this side gives; 2 MiB keeps a 20 ms round trip at 100 MB/s per stream. */
export const STREAM_RECEIVE_WINDOW = 2 * 1024 * 1024;
/** Above this much unread, a stream stops the connection's reading (a peer without flow control ignores windows). */
const HOLD_LIMIT = STREAM_RECEIVE_WINDOW;
/** Credit is given back in steps of this much consumed, not per read. */
const CREDIT_STEP = 256 * 1024;

type Callback = (error?: Error | null) => void;

export interface StreamOptions {
	/** The stream carries nothing from this side: SYN_STREAM says FIN. */
	fin?: boolean;
	/** The peer's FIN waits for this before the reader sees the end; an error it yields fails the stream instead. */
	endGate?: Promise<Error | null>;
}

/**
 * One SPDY stream as a Node duplex. Writes go out as data frames within the peer's
 * windows (when it keeps them) and wait while the connection is full; what arrives is
 * pushed as it comes, and the window is given back only as the reader takes it.
 * Ending sends an empty frame with FIN; destroying it early sends RST_STREAM.
 */
export class SpdyStream extends Duplex {
	readonly replied: Promise<void>;
	private markRepliedOnce!: () => void;
	private failOpen!: (error: Error) => void;
	private received = 0;
	private credited = 0;
	private held = false;
	private localEnded: boolean;
	private remoteEnded = false;
	private reset = false;
	/** A write waiting for window: what is left of it and its callback. */
	private parked: { chunks: Buffer[]; callback: Callback } | null = null;
	private readonly endGate: Promise<Error | null>;

	constructor(private readonly owner: StreamOwner, readonly id: number, public sendWindow: number, options: StreamOptions) {
		super({ allowHalfOpen: true, readableHighWaterMark: 256 * 1024, writableHighWaterMark: 256 * 1024 });
		this.endGate = options.endGate ?? Promise.resolve(null);
		this.localEnded = options.fin === true;
		if (this.localEnded) this.end();
		this.replied = new Promise((resolve, reject) => {
			this.markRepliedOnce = resolve;
			this.failOpen = reject;
		});
		// A stream that never opened rejects `replied`; that error is the opener's to handle.
		this.replied.catch(() => undefined);
	}

	markReplied(): void {
		this.markRepliedOnce();
	}

	receive(piece: Buffer): void {
		if (this.remoteEnded || this.destroyed) return;
		this.received += piece.length;
		this.push(piece);
		if (!this.held && this.readableLength > HOLD_LIMIT) {
			this.held = true;
			this.owner.hold(this, true);
		}
	}

	remoteEnd(): void {
		if (this.remoteEnded) return;
		this.remoteEnded = true;
		this.endGate.then((error) => {
			if (error) this.destroy(error);
			else this.push(null);
			this.settleIfDone();
		}, () => undefined);
	}

	/** `closing`: the session is being closed by this side, and a peer cancelling its streams is the answer, not a failure. */
	resetByPeer(status: number, closing: boolean): void {
		this.reset = true;
		this.destroy(closing ? undefined : new StreamReset(this.id, status));
	}

	/** The peer's window grew by `delta` (or the session's did): send what waited for it. */
	widen(delta: number): void {
		this.sendWindow += delta;
		const parked = this.parked;
		if (!parked || this.owner.sendAllowance(this) <= 0) return;
		this.parked = null;
		this.send(parked.chunks, parked.callback);
	}

	/**
	 * Readable calls this before it takes the bytes it reads from the buffer, and not
	 * again until the next push: the look at what was taken waits a tick, and gives credit
	 * whenever the peer may be out of window, or the stream would never be pushed again.
	 */
	override _read(): void {
		process.nextTick(() => this.giveBack());
	}

	private giveBack(): void {
		if (this.destroyed) return;
		if (this.held) {
			this.held = false;
			this.owner.hold(this, false);
		}
		const taken = this.received - this.readableLength;
		const owed = taken - this.credited;
		if (owed <= 0) return;
		if (owed >= CREDIT_STEP || this.readableLength === 0 || this.received - this.credited >= STREAM_RECEIVE_WINDOW / 2) {
			this.owner.consumed(this, owed);
			this.credited = taken;
		}
	}

	override _write(chunk: Buffer, _encoding: BufferEncoding, callback: Callback): void {
		this.send([chunk], callback);
	}

	override _writev(chunks: { chunk: Buffer }[], callback: Callback): void {
		this.send(chunks.map(({ chunk }) => chunk), callback);
	}

	private send(chunks: Buffer[], callback: Callback): void {
		let left = chunks;
		while (left.length > 0) {
			const allowance = this.owner.sendAllowance(this);
			if (allowance <= 0) {
				this.parked = { chunks: left, callback };
				return;
			}
			const [now, later] = split(left, allowance);
			const length = now.reduce((sum, piece) => sum + piece.length, 0);
			this.sendWindow -= length;
			this.owner.spent(length);
			left = later;
			if (left.length === 0) {
				this.owner.writeData(dataHeader(this.id, 0, length), now, () => callback());
				return;
			}
			this.owner.writeData(dataHeader(this.id, 0, length), now, () => undefined);
		}
		callback();
	}

	override _final(callback: Callback): void {
		if (!this.localEnded) this.owner.writeData(dataHeader(this.id, FLAG_FIN, 0), [], () => undefined);
		this.localEnded = true;
		this.settleIfDone();
		callback();
	}

	override _destroy(error: Error | null, callback: Callback): void {
		if (!this.reset && !(this.localEnded && this.remoteEnded)) this.owner.write(rstStream(this.id, RstStatus.cancel));
		this.parked = null;
		this.failOpen(error ?? new StreamReset(this.id, RstStatus.cancel));
		this.owner.forget(this);
		callback(error);
	}

	private settleIfDone(): void {
		if (this.localEnded && this.remoteEnded) this.owner.forget(this);
	}
}

/** The first `limit` bytes of `chunks`, and the rest. */
function split(chunks: Buffer[], limit: number): [Buffer[], Buffer[]] {
	const now: Buffer[] = [];
	let room = limit;
	for (let i = 0; i < chunks.length; i++) {
		const chunk = chunks[i];
		if (chunk.length <= room) {
			now.push(chunk);
			room -= chunk.length;
			if (room === 0) return [now, chunks.slice(i + 1)];
			continue;
		}
		now.push(chunk.subarray(0, room));
		return [now, [chunk.subarray(room), ...chunks.slice(i + 1)]];
	}
	return [now, []];
}
