import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import {
	FLAG_FIN, FrameReader, FrameType, GoAwayStatus, MAX_DATA_LENGTH, RstStatus, SETTINGS_INITIAL_WINDOW_SIZE,
	goAway, ping, readSettings, rstStream, settings, streamIdOf, synStream, windowUpdate,
} from './frames.js';
import { HeaderCompressor, HeaderDecompressor, type HeaderPairs } from './header-block.js';
import { SessionClosed, SessionGoneAway, SpdyProtocolError } from './spdy-errors.js';
import { STREAM_RECEIVE_WINDOW, SpdyStream, type StreamOptions, type StreamOwner } from './spdy-stream.js';

/** SPDY/3.1's window for a stream and for the session until SETTINGS or WINDOW_UPDATE say otherwise. */
const DEFAULT_WINDOW = 64 * 1024;
const SESSION_RECEIVE_WINDOW = 16 * 1024 * 1024;

export interface SessionOptions {
	/**
	 * Whether the peer keeps SPDY's flow control. The Kubernetes stream servers (kubelet,
	 * container runtimes, the API server's tunnel) are built on a SPDY library with none:
	 * they never send WINDOW_UPDATE, so honouring their 64 KiB windows would stall every
	 * stream after its first 64 KiB, and they ignore ours. Without it, a slow reader holds
	 * the whole connection (as it does in kubectl) instead of growing a buffer.
	 */
	peerFlowControl: boolean;
	/** Ping the peer this often (ms) so idle timeouts between here and the peer see traffic; 0: never. */
	keepAliveMs?: number;
}

/**
 * The client side of a SPDY/3.1 session over a byte stream: it opens streams (odd ids),
 * answers pings, and turns RST_STREAM and GOAWAY into typed errors on the streams they
 * end. Its 'close' event carries the error that ended it, if any.
 */
export class SpdySession extends EventEmitter implements StreamOwner {
	private readonly streams = new Map<number, SpdyStream>();
	private readonly compressor = new HeaderCompressor();
	private readonly decompressor = new HeaderDecompressor();
	private readonly reader: FrameReader;
	private readonly pings = new Map<number, { answered: () => void; failed: (error: Error) => void }>();
	/** Streams holding more than their window unread; while any does, the connection is not read. */
	private readonly holding = new Set<SpdyStream>();
	private readonly drainWaiters: Array<() => void> = [];
	private readonly keepAlive: NodeJS.Timeout | null;
	private nextStreamId = 1;
	private nextPingId = 1;
	private sessionSendWindow = DEFAULT_WINDOW;
	private initialSendWindow = DEFAULT_WINDOW;
	private sessionCredit = 0;
	private ended: Error | null = null;
	private goneAway: SessionGoneAway | null = null;
	private closing = false;

	constructor(private readonly transport: Duplex, readonly options: SessionOptions) {
		super();
		this.reader = new FrameReader({
			control: (type, flags, body) => this.onControl(type, flags, body),
			data: (id, piece) => this.streams.get(id)?.receive(piece),
			dataEnd: (id, flags) => { if (flags & FLAG_FIN) this.streams.get(id)?.remoteEnd(); },
		});
		transport.on('data', (chunk: Buffer) => {
			try {
				this.reader.push(chunk);
			} catch (error) {
				this.fail(error as Error, GoAwayStatus.protocolError);
			}
		});
		transport.on('drain', () => { for (const wake of this.drainWaiters.splice(0)) wake(); });
		transport.on('error', (error) => this.fail(error));
		transport.on('close', () => this.fail(null));
		if (options.peerFlowControl) {
			this.write(settings([[SETTINGS_INITIAL_WINDOW_SIZE, STREAM_RECEIVE_WINDOW]]));
			this.write(windowUpdate(0, SESSION_RECEIVE_WINDOW - DEFAULT_WINDOW));
		}
		this.keepAlive = options.keepAliveMs ? setInterval(() => { this.ping().catch(() => undefined); }, options.keepAliveMs).unref() : null;
	}

	get isOpen(): boolean {
		return !this.ended && !this.goneAway;
	}

	/**
	 * Opens a stream with these headers, resolving once its SYN_STREAM is sent; the
	 * stream's `replied` settles when the peer's SYN_REPLY (or RST_STREAM) comes. The
	 * Kubernetes stream servers drop data for a stream they have not replied to yet, so
	 * writers wait for it.
	 */
	async openStream(headers: HeaderPairs, options: StreamOptions = {}): Promise<SpdyStream> {
		if (this.ended) throw this.ended;
		if (this.goneAway) throw this.goneAway;
		const block = await this.compressor.compress(headers);
		// Blocks come back in the order asked for, so stream ids go out rising, as they must.
		if (this.ended) throw this.ended;
		if (this.goneAway) throw this.goneAway;
		const id = this.nextStreamId;
		this.nextStreamId += 2;
		const stream = new SpdyStream(this, id, this.initialSendWindow, options);
		this.streams.set(id, stream);
		this.write(synStream(id, options.fin ? FLAG_FIN : 0, block));
		return stream;
	}

	/** Round trip to the peer, in milliseconds. */
	ping(): Promise<number> {
		if (this.ended) return Promise.reject(this.ended);
		const id = this.nextPingId;
		this.nextPingId = (this.nextPingId + 2) % 0x7fffffff;
		const started = performance.now();
		return new Promise((resolve, reject) => {
			this.pings.set(id, { answered: () => resolve(performance.now() - started), failed: reject });
			this.write(ping(id));
		});
	}

	/** Says GOAWAY and closes the connection once what was queued is sent; open streams end without an error. */
	close(): void {
		if (this.ended) return;
		this.closing = true;
		this.write(goAway(0, GoAwayStatus.ok));
		this.transport.end();
	}

	/** Drops the connection; open streams fail with `error`, or end without one when none is given. */
	destroy(error?: Error): void {
		if (!error) this.closing = true;
		this.fail(error ?? null);
	}

	// What a stream asks of the session.

	write(frame: Buffer): void {
		if (!this.ended) this.transport.write(frame);
	}

	writeData(header: Buffer, payload: Buffer[], done: () => void): void {
		if (this.ended) {
			done();
			return;
		}
		this.transport.cork();
		this.transport.write(header);
		for (const piece of payload) this.transport.write(piece);
		this.transport.uncork();
		if (this.transport.writableNeedDrain) this.drainWaiters.push(done);
		else done();
	}

	sendAllowance(stream: SpdyStream): number {
		if (!this.options.peerFlowControl) return MAX_DATA_LENGTH;
		return Math.min(stream.sendWindow, this.sessionSendWindow, MAX_DATA_LENGTH);
	}

	spent(length: number): void {
		this.sessionSendWindow -= length;
	}

	consumed(stream: SpdyStream, length: number): void {
		if (!this.options.peerFlowControl || this.ended) return;
		this.write(windowUpdate(stream.id, length));
		this.sessionCredit += length;
		if (this.sessionCredit >= SESSION_RECEIVE_WINDOW / 4) {
			this.write(windowUpdate(0, this.sessionCredit));
			this.sessionCredit = 0;
		}
	}

	hold(stream: SpdyStream, holding: boolean): void {
		const before = this.holding.size;
		if (holding) this.holding.add(stream);
		else this.holding.delete(stream);
		if (before === 0 && this.holding.size > 0) this.transport.pause();
		if (before > 0 && this.holding.size === 0 && !this.ended) this.transport.resume();
	}

	forget(stream: SpdyStream): void {
		this.streams.delete(stream.id);
		this.hold(stream, false);
	}

	private onControl(type: number, flags: number, body: Buffer): void {
		switch (type) {
			case FrameType.synReply: {
				// The reply's headers mean nothing to a port-forward; its block is read only to keep the
				// compression state, and the stream counts as taken now, before frames behind it arrive.
				const stream = this.streams.get(streamIdOf(body, 4));
				stream?.markReplied();
				if (flags & FLAG_FIN) stream?.remoteEnd();
				this.readHeaders(body.subarray(4), () => undefined);
				return;
			}
			case FrameType.headers: {
				if (flags & FLAG_FIN) this.streams.get(streamIdOf(body, 4))?.remoteEnd();
				this.readHeaders(body.subarray(4), () => undefined);
				return;
			}
			case FrameType.synStream: {
				// A port-forward server never opens streams; its block is still read, as the compression state runs through it.
				const id = streamIdOf(body, 10);
				this.readHeaders(body.subarray(10), () => this.write(rstStream(id, RstStatus.refusedStream)));
				return;
			}
			case FrameType.rstStream:
				this.streams.get(streamIdOf(body, 8))?.resetByPeer(body.readUInt32BE(4), this.closing);
				return;
			case FrameType.settings: {
				const window = readSettings(body).get(SETTINGS_INITIAL_WINDOW_SIZE);
				if (window === undefined) return;
				const delta = window - this.initialSendWindow;
				this.initialSendWindow = window;
				for (const stream of this.streams.values()) stream.widen(delta);
				return;
			}
			case FrameType.ping: {
				const id = body.readUInt32BE(0);
				// Odd ids are this side's; an even one is the peer's, to be sent back.
				if (id % 2 === 0) {
					this.write(ping(id));
				} else {
					this.pings.get(id)?.answered();
					this.pings.delete(id);
				}
				return;
			}
			case FrameType.goAway:
				this.onGoAway(new SessionGoneAway(streamIdOf(body, 8), body.readUInt32BE(4)));
				return;
			case FrameType.windowUpdate: {
				const id = streamIdOf(body, 8);
				const delta = body.readUInt32BE(4) & 0x7fffffff;
				if (id === 0) {
					this.sessionSendWindow += delta;
					for (const stream of this.streams.values()) stream.widen(0);
				} else {
					this.streams.get(id)?.widen(delta);
				}
				return;
			}
			default:
				// §2.2.1: control frames of unknown types are ignored.
		}
	}

	private readHeaders(block: Buffer, then: () => void): void {
		this.decompressor.decompress(block).then(then, (error: Error) => this.fail(error, GoAwayStatus.protocolError));
	}

	private onGoAway(goneAway: SessionGoneAway): void {
		this.goneAway = goneAway;
		for (const stream of [...this.streams.values()]) if (stream.id > goneAway.lastGoodStreamId) stream.destroy(goneAway);
		this.emit('goaway', goneAway);
	}

	private fail(error: Error | null, status: number = GoAwayStatus.internalError): void {
		if (this.ended) return;
		if (error instanceof SpdyProtocolError) {
			this.transport.write(goAway(0, status));
			this.transport.end();
		}
		this.ended = error ?? new SessionClosed();
		const streamError = error instanceof SpdyProtocolError ? error : new SessionClosed(error ?? undefined);
		if (this.keepAlive) clearInterval(this.keepAlive);
		for (const wake of this.drainWaiters.splice(0)) wake();
		for (const { failed } of this.pings.values()) failed(this.ended);
		this.pings.clear();
		for (const stream of [...this.streams.values()]) stream.destroy(this.closing && !error ? undefined : streamError);
		this.streams.clear();
		this.compressor.close();
		this.decompressor.close();
		if (!(error instanceof SpdyProtocolError)) this.transport.destroy();
		this.emit('close', error);
	}
}
