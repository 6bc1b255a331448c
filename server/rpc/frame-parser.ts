import { ErrorCodes, type ErrorReason } from '../../protocol/index.js';

/** What a parser makes of the bytes it was fed: a JSON value, or a framing problem. */
export type FrameEvent =
	| { kind: 'json'; value: unknown }
	| { kind: 'problem'; code: number; reason: ErrorReason; message: string };

export interface FrameParser {
	/** Feeds bytes; returns what became complete. */
	push(chunk: Buffer): FrameEvent[];
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const CRLF2 = Buffer.from('\r\n\r\n');
const HEADER_LIMIT = 8 * 1024;
const CONTENT_LENGTH = /content-length:/gi;
/** A `Content-Length:` cut by a read boundary is at most this long; that much is kept. */
const PARTIAL_HEADER = 'content-length:'.length - 1;

/** Where the last `Content-Length:` in `text` starts, or -1. */
function lastContentLength(text: string): number {
	let last = -1;
	for (const match of text.matchAll(CONTENT_LENGTH)) last = match.index;
	return last;
}

/**
 * Where the first `Content-Length:` that does not begin a line starts, or -1: garbage (or a
 * header cut short, as with LF-only line endings) ran into it. Glued to garbage, its line
 * may even pass for another header (`xContent-Length: 5`), so this is checked first.
 */
function gluedContentLength(block: string): number {
	for (const match of block.matchAll(CONTENT_LENGTH)) {
		if (match.index > 0 && block.slice(match.index - 2, match.index) !== '\r\n') return match.index;
	}
	return -1;
}

function parseBody(bytes: Buffer): FrameEvent {
	let text: string;
	try {
		text = decoder.decode(bytes);
	} catch {
		return { kind: 'problem', code: ErrorCodes.ParseError, reason: 'parseError', message: 'The message is not valid UTF-8.' };
	}
	try {
		return { kind: 'json', value: JSON.parse(text) };
	} catch (error) {
		return { kind: 'problem', code: ErrorCodes.ParseError, reason: 'parseError', message: `The message is not valid JSON: ${(error as Error).message}` };
	}
}

const HEADER_LINE = /^([A-Za-z0-9-]+):[ \t]*(.*?)[ \t]*$/;

/** Every value of each header field, by lower-case name; null when a line is not a header line. */
function parseHeaderLines(block: string): Map<string, string[]> | null {
	const headers = new Map<string, string[]>();
	for (const line of block.split('\r\n')) {
		const match = HEADER_LINE.exec(line);
		if (!match) return null;
		const name = match[1]!.toLowerCase();
		headers.set(name, [...(headers.get(name) ?? []), match[2]!]);
	}
	return headers;
}

function tooLarge(length: number, limit: number): FrameEvent {
	return {
		kind: 'problem', code: ErrorCodes.InvalidRequest, reason: 'messageTooLarge',
		message: `A message of ${length} bytes exceeds the limit of ${limit} bytes; it was skipped.`,
	};
}

function badHeader(message: string): FrameEvent {
	return { kind: 'problem', code: ErrorCodes.ParseError, reason: 'parseError', message };
}

/**
 * The base protocol's framing: `Content-Length` and optional `Content-Type` headers, a blank
 * line, then exactly that many bytes of UTF-8 JSON. Unlike a plain reader it recovers from
 * bad input: garbage before a header is skipped up to the next `Content-Length:`, a header
 * block it cannot use is reported and dropped, and an oversized body is discarded as it
 * streams past instead of being buffered.
 */
export class HeaderFrameParser implements FrameParser {
	private buffer: Buffer = Buffer.alloc(0);
	private bodyLength: number | null = null;
	private discarding = 0;

	constructor(private readonly maxMessageBytes: number) {}

	push(chunk: Buffer): FrameEvent[] {
		this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
		const events: FrameEvent[] = [];
		for (;;) {
			if (this.discarding > 0) {
				const skipped = Math.min(this.discarding, this.buffer.length);
				this.discarding -= skipped;
				this.buffer = this.buffer.subarray(skipped);
				if (this.discarding > 0) return events;
			}
			if (this.bodyLength !== null) {
				if (this.buffer.length < this.bodyLength) return events;
				events.push(parseBody(this.buffer.subarray(0, this.bodyLength)));
				this.buffer = this.buffer.subarray(this.bodyLength);
				this.bodyLength = null;
				continue;
			}
			if (!this.readHeader(events)) return events;
		}
	}

	/** Consumes one header block if complete; false when more bytes are needed. */
	private readHeader(events: FrameEvent[]): boolean {
		const end = this.buffer.indexOf(CRLF2);
		if (end < 0) {
			if (this.buffer.length > HEADER_LIMIT) {
				events.push(badHeader(`No message header in the last ${this.buffer.length} bytes; they were skipped.`));
				// Keep what may be the start of the next header: from its Content-Length on, or
				// a tail too short to have held one but long enough to hold one cut in two.
				const start = lastContentLength(this.buffer.toString('latin1'));
				this.buffer = this.buffer.subarray(start > 0 ? start : this.buffer.length - PARTIAL_HEADER);
			}
			return false;
		}
		const block = this.buffer.subarray(0, end).toString('latin1');
		const headers = parseHeaderLines(block);
		const glued = gluedContentLength(block);
		if (!headers || !headers.has('content-length') || glued > 0) {
			const start = glued > 0 ? glued : block.slice(1).search(CONTENT_LENGTH) + 1;
			if (start > 0) {
				// Garbage ran into a real header: resynchronise on it.
				events.push(badHeader(`Skipped ${start} bytes of garbage before a message header.`));
				this.buffer = this.buffer.subarray(start);
			} else {
				events.push(badHeader(`Malformed header block '${block.slice(0, 80)}'; it was skipped.`));
				this.buffer = this.buffer.subarray(end + CRLF2.length);
			}
			return true;
		}
		this.buffer = this.buffer.subarray(end + CRLF2.length);
		const lengths = new Set(headers.get('content-length'));
		if (lengths.size > 1) {
			// Which one is right cannot be known; taking either may swallow the next message.
			// Dropping the block leaves the body to be skipped as garbage up to the next header.
			events.push(badHeader(`Conflicting Content-Length headers (${[...lengths].join(', ').slice(0, 40)}); the header block was skipped.`));
			return true;
		}
		const lengthText = [...lengths][0]!;
		if (!/^\d{1,15}$/.test(lengthText)) {
			events.push(badHeader(`Invalid Content-Length '${lengthText.slice(0, 20)}'; the header block was skipped.`));
			return true;
		}
		const length = Number(lengthText);
		const charset = /charset=([^;\s]+)/i.exec(headers.get('content-type')?.join(';') ?? '')?.[1]?.toLowerCase();
		if (charset && charset !== 'utf-8' && charset !== 'utf8') {
			events.push(badHeader(`Unsupported charset '${charset}'; only utf-8 is understood. The message was skipped.`));
			this.discarding = length;
			return true;
		}
		if (length > this.maxMessageBytes) {
			events.push(tooLarge(length, this.maxMessageBytes));
			this.discarding = length;
			return true;
		}
		this.bodyLength = length;
		return true;
	}
}

/** Newline-delimited JSON, one message per line, for people typing messages by hand. */
export class LineFrameParser implements FrameParser {
	private pending: Buffer[] = [];
	private pendingBytes = 0;
	private overflowing = false;

	constructor(private readonly maxMessageBytes: number) {}

	push(chunk: Buffer): FrameEvent[] {
		const events: FrameEvent[] = [];
		let rest = chunk;
		for (;;) {
			const newline = rest.indexOf(0x0a);
			if (newline < 0) {
				this.keep(rest, events);
				return events;
			}
			this.keep(rest.subarray(0, newline), events);
			rest = rest.subarray(newline + 1);
			if (this.overflowing) {
				this.overflowing = false;
			} else {
				const line = Buffer.concat(this.pending);
				const text = line.toString('latin1').trim();
				if (text.length > 0) events.push(parseBody(line));
			}
			this.pending = [];
			this.pendingBytes = 0;
		}
	}

	private keep(part: Buffer, events: FrameEvent[]): void {
		if (this.overflowing || part.length === 0) return;
		this.pendingBytes += part.length;
		if (this.pendingBytes > this.maxMessageBytes) {
			events.push(tooLarge(this.pendingBytes, this.maxMessageBytes));
			this.overflowing = true;
			this.pending = [];
			return;
		}
		this.pending.push(Buffer.from(part));
	}
}
