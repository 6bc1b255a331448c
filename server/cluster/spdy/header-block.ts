import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SpdyProtocolError } from './spdy-errors.js';

/**
 * SPDY/3's header compression dictionary (§2.6.10.1): 65 length-prefixed header words
 * and then common values, 1423 bytes in all. Both ends prime zlib with it.
 */
const DICTIONARY_WORDS = [
	'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
	'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
	'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
	'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
	'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
	'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
	'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie',
	'keep-alive', 'origin',
];
const DICTIONARY_TAIL = '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505'
	+ '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden'
	+ '404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable'
	+ 'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT'
	+ 'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,'
	+ 'publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

export const HEADER_DICTIONARY = Buffer.concat([
	...DICTIONARY_WORDS.map((word) => lengthPrefixed(Buffer.from(word, 'latin1'))),
	Buffer.from(DICTIONARY_TAIL, 'latin1'),
]);

function lengthPrefixed(value: Buffer): Buffer {
	const length = Buffer.allocUnsafe(4);
	length.writeUInt32BE(value.length);
	return Buffer.concat([length, value]);
}

/** Names are lowercase on the wire (§2.6.10); several values of one name are joined by NUL. */
export type HeaderPairs = Array<[name: string, value: string]>;

export function encodeHeaderBlock(pairs: HeaderPairs): Buffer {
	const count = Buffer.allocUnsafe(4);
	count.writeUInt32BE(pairs.length);
	return Buffer.concat([count, ...pairs.flatMap(([name, value]) => [lengthPrefixed(Buffer.from(name.toLowerCase())), lengthPrefixed(Buffer.from(value))])]);
}

export function decodeHeaderBlock(block: Buffer): Map<string, string> {
	const headers = new Map<string, string>();
	let at = 0;
	const take = (): string => {
		if (at + 4 > block.length) throw new SpdyProtocolError('a header block cut short');
		const length = block.readUInt32BE(at);
		if (at + 4 + length > block.length) throw new SpdyProtocolError('a header block cut short');
		const text = block.toString('utf8', at + 4, at + 4 + length);
		at += 4 + length;
		return text;
	};
	const count = block.length >= 4 ? block.readUInt32BE(0) : 0;
	at = 4;
	for (let i = 0; i < count; i++) {
		const name = take();
		headers.set(name, take());
	}
	return headers;
}

/**
 * One zlib stream per direction for the whole session (§2.6.10): each block is flushed
 * with Z_SYNC_FLUSH so the peer can read it whole, and later blocks refer back to
 * earlier ones. Blocks are processed strictly in order.
 */
async function throughZlib(zlib: Deflate | Inflate, input: Buffer): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const fail = (error: Error): void => reject(error);
		zlib.once('error', fail);
		zlib.write(input);
		zlib.flush(constants.Z_SYNC_FLUSH, () => {
			zlib.off('error', fail);
			resolve((zlib.read() as Buffer | null) ?? Buffer.alloc(0));
		});
	});
}

/** Runs each block after the one before, so one block's flushed output never holds part of the next. */
class InOrder {
	private last: Promise<unknown> = Promise.resolve();

	run<T>(job: () => Promise<T>): Promise<T> {
		const next = this.last.then(job, job);
		this.last = next.catch(() => undefined);
		return next;
	}
}

/**
 * The smallest compressor the dictionary fits in: a session sends a header block or two
 * per forwarded connection, and zlib's default (a 32 KiB window, memLevel 8) held about
 * 250 KB per session, against 120 KB this way, with a session per tunnel that added up to
 * tens of MB for a workload of many replicas. Any window up to 32 KiB is the peer's to read.
 */
const DEFLATE_OPTIONS = { dictionary: HEADER_DICTIONARY, windowBits: 11, memLevel: 1 };

export class HeaderCompressor {
	private readonly deflate = createDeflate(DEFLATE_OPTIONS);
	private readonly order = new InOrder();

	compress(pairs: HeaderPairs): Promise<Buffer> {
		return this.order.run(() => throughZlib(this.deflate, encodeHeaderBlock(pairs)));
	}

	close(): void {
		this.deflate.destroy();
	}
}

export class HeaderDecompressor {
	private readonly inflate = createInflate({ dictionary: HEADER_DICTIONARY });
	private readonly order = new InOrder();

	async decompress(block: Buffer): Promise<Map<string, string>> {
		try {
			return decodeHeaderBlock(await this.order.run(() => throughZlib(this.inflate, block)));
		} catch (error) {
			throw error instanceof SpdyProtocolError ? error : new SpdyProtocolError(`a header block zlib cannot read (${(error as Error).message})`);
		}
	}

	close(): void {
		this.inflate.destroy();
	}
}
