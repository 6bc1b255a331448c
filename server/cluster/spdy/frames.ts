import { SpdyProtocolError } from './spdy-errors.js';

/**
 * SPDY/3.1's frames (draft-mbelshe-httpbis-spdy-00 §2.2, and the 3.1 revision's session
 * window): an 8-byte header, then the body. A control frame's header starts with the
 * control bit and the version; a data frame's with the stream it belongs to.
 */
export const SPDY_VERSION = 3;
export const FrameType = {
	synStream: 1,
	synReply: 2,
	rstStream: 3,
	settings: 4,
	ping: 6,
	goAway: 7,
	headers: 8,
	windowUpdate: 9,
} as const;

/** FLAG_FIN: the sender's last frame on the stream (data frames, SYN_STREAM, SYN_REPLY, HEADERS). */
export const FLAG_FIN = 0x01;
/** RST_STREAM status codes (§2.6.3) that kubebridge sends or names. */
export const RstStatus = { protocolError: 1, invalidStream: 2, refusedStream: 3, cancel: 5, internalError: 6, flowControlError: 7 } as const;
/** GOAWAY status codes (§2.6.6). */
export const GoAwayStatus = { ok: 0, protocolError: 1, internalError: 2 } as const;
/** SETTINGS ids (§2.6.4) that matter here. */
export const SETTINGS_INITIAL_WINDOW_SIZE = 7;
/** The most a data frame's 24-bit length can say. */
export const MAX_DATA_LENGTH = 0xffffff;
const HEADER = 8;

/** Where parsed frames go. A data frame's payload arrives in pieces as the bytes do, so nothing waits for or copies a whole frame. */
export interface FrameSink {
	control(type: number, flags: number, body: Buffer): void;
	data(streamId: number, piece: Buffer): void;
	/** The data frame's last byte arrived; `flags` are its flags. */
	dataEnd(streamId: number, flags: number): void;
}

/** Turns the session's byte stream, cut anywhere (a WebSocket message need not hold a whole frame), into frames. */
export class FrameReader {
	private held: Buffer[] = [];
	private heldLength = 0;
	private dataLeft = 0;
	private dataStream = 0;
	private dataFlags = 0;

	constructor(private readonly sink: FrameSink) {}

	push(chunk: Buffer): void {
		while (chunk.length > 0) {
			if (this.dataLeft > 0) {
				const piece = chunk.length > this.dataLeft ? chunk.subarray(0, this.dataLeft) : chunk;
				chunk = chunk.subarray(piece.length);
				this.dataLeft -= piece.length;
				this.sink.data(this.dataStream, piece);
				if (this.dataLeft === 0) this.sink.dataEnd(this.dataStream, this.dataFlags);
				continue;
			}
			this.held.push(chunk);
			this.heldLength += chunk.length;
			chunk = Buffer.alloc(0);
			if (this.heldLength < HEADER) return;
			const joined = this.held.length === 1 ? this.held[0] : Buffer.concat(this.held, this.heldLength);
			const length = joined.readUInt32BE(4) & 0xffffff;
			const flags = joined[4];
			if (joined[0] & 0x80) {
				if (joined.length < HEADER + length) {
					this.held = [joined];
					return;
				}
				const version = joined.readUInt16BE(0) & 0x7fff;
				if (version !== SPDY_VERSION) throw new SpdyProtocolError(`the peer speaks SPDY version ${version}, not ${SPDY_VERSION}`);
				this.release();
				this.sink.control(joined.readUInt16BE(2), flags, joined.subarray(HEADER, HEADER + length));
				chunk = joined.subarray(HEADER + length);
			} else {
				this.release();
				this.dataStream = joined.readUInt32BE(0) & 0x7fffffff;
				this.dataFlags = flags;
				this.dataLeft = length;
				if (length === 0) this.sink.dataEnd(this.dataStream, flags);
				chunk = joined.subarray(HEADER);
			}
		}
	}

	private release(): void {
		this.held = [];
		this.heldLength = 0;
	}
}

export function controlFrame(type: number, flags: number, body: Buffer): Buffer {
	const frame = Buffer.allocUnsafe(HEADER + body.length);
	frame.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
	frame.writeUInt16BE(type, 2);
	frame.writeUInt32BE(((flags & 0xff) << 24 | body.length) >>> 0, 4);
	body.copy(frame, HEADER);
	return frame;
}

/** A data frame's header; its payload is written right behind it. */
export function dataHeader(streamId: number, flags: number, length: number): Buffer {
	const header = Buffer.allocUnsafe(HEADER);
	header.writeUInt32BE(streamId & 0x7fffffff, 0);
	header.writeUInt32BE(((flags & 0xff) << 24 | length) >>> 0, 4);
	return header;
}

const words = (...values: number[]): Buffer => {
	const body = Buffer.allocUnsafe(values.length * 4);
	values.forEach((value, i) => body.writeUInt32BE(value >>> 0, i * 4));
	return body;
};

/** SYN_STREAM: stream id, no associated stream, priority 0, slot 0, then the compressed header block. */
export function synStream(streamId: number, flags: number, headerBlock: Buffer): Buffer {
	return controlFrame(FrameType.synStream, flags, Buffer.concat([words(streamId & 0x7fffffff, 0), Buffer.from([0, 0]), headerBlock]));
}

export const rstStream = (streamId: number, status: number): Buffer => controlFrame(FrameType.rstStream, 0, words(streamId & 0x7fffffff, status));
export const ping = (id: number): Buffer => controlFrame(FrameType.ping, 0, words(id));
export const goAway = (lastGoodStreamId: number, status: number): Buffer => controlFrame(FrameType.goAway, 0, words(lastGoodStreamId & 0x7fffffff, status));
export const windowUpdate = (streamId: number, delta: number): Buffer => controlFrame(FrameType.windowUpdate, 0, words(streamId & 0x7fffffff, delta & 0x7fffffff));

/** SETTINGS with one entry per id → value, no persistence flags. */
export function settings(entries: Array<[id: number, value: number]>): Buffer {
	return controlFrame(FrameType.settings, 0, words(entries.length, ...entries.flatMap(([id, value]) => [id & 0xffffff, value])));
}

/** A SETTINGS body's entries as id → value. */
export function readSettings(body: Buffer): Map<number, number> {
	const entries = new Map<number, number>();
	if (body.length < 4) throw new SpdyProtocolError('a SETTINGS frame too short for its count');
	const count = body.readUInt32BE(0);
	if (body.length < 4 + count * 8) throw new SpdyProtocolError('a SETTINGS frame shorter than its entries');
	for (let i = 0; i < count; i++) entries.set(body.readUInt32BE(4 + i * 8) & 0xffffff, body.readUInt32BE(8 + i * 8));
	return entries;
}

/** The 31-bit stream id at the start of most control frames' bodies. */
export function streamIdOf(body: Buffer, minimum: number): number {
	if (body.length < minimum) throw new SpdyProtocolError(`a control frame of ${body.length} bytes, shorter than its ${minimum}`);
	return body.readUInt32BE(0) & 0x7fffffff;
}
