/**
 * Datagrams over a tunnel's byte stream: each one a 4-byte big-endian length and its bytes.
 * The length is wider than any UDP payload so that a frame past the limit can still be
 * skipped whole and counted, and the stream stays in step after it.
 */

/** The largest UDP payload over IPv4; both ends drop (and count) anything larger. */
export const MAX_DATAGRAM_BYTES = 65_507;
const HEADER_BYTES = 4;

/** One datagram as a frame, or null when it is too large to carry. */
export function frameDatagram(datagram: Buffer, limit = MAX_DATAGRAM_BYTES): Buffer | null {
	if (datagram.length > limit) return null;
	const frame = Buffer.allocUnsafe(HEADER_BYTES + datagram.length);
	frame.writeUInt32BE(datagram.length, 0);
	datagram.copy(frame, HEADER_BYTES);
	return frame;
}

/**
 * Splits a stream of frames back into datagrams, whatever the chunks' boundaries. A frame
 * longer than `limit` is skipped (its bytes read and thrown away) and counted in `oversize`.
 */
export class DatagramDeframer {
	private pending: Buffer = Buffer.alloc(0);
	/** Bytes of an oversized frame still to throw away. */
	private skipping = 0;
	oversize = 0;

	constructor(private readonly limit = MAX_DATAGRAM_BYTES) {}

	/** The datagrams that `chunk` completes, in order. */
	push(chunk: Buffer): Buffer[] {
		let data = chunk;
		if (this.skipping > 0) {
			const skipped = Math.min(this.skipping, data.length);
			this.skipping -= skipped;
			data = data.subarray(skipped);
		}
		if (this.pending.length > 0) data = Buffer.concat([this.pending, data]);
		const out: Buffer[] = [];
		let at = 0;
		while (data.length - at >= HEADER_BYTES) {
			const length = data.readUInt32BE(at);
			if (length > this.limit) {
				this.oversize++;
				const available = data.length - at - HEADER_BYTES;
				if (available < length) {
					this.skipping = length - available;
					at = data.length;
					break;
				}
				at += HEADER_BYTES + length;
				continue;
			}
			if (data.length - at - HEADER_BYTES < length) break;
			// A copy: the datagram outlives the chunk, which may be a slice of a large read buffer.
			out.push(Buffer.from(data.subarray(at + HEADER_BYTES, at + HEADER_BYTES + length)));
			at += HEADER_BYTES + length;
		}
		this.pending = at === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(at));
		return out;
	}
}
