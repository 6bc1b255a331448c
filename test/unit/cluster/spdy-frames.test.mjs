import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import {
	FLAG_FIN, FrameReader, FrameType, controlFrame, dataHeader, goAway, ping, readSettings, rstStream, settings, synStream, windowUpdate,
} from '../../../out/server/cluster/spdy/frames.js';
import { HEADER_DICTIONARY, HeaderCompressor, HeaderDecompressor, decodeHeaderBlock, encodeHeaderBlock } from '../../../out/server/cluster/spdy/header-block.js';
import { SpdyProtocolError } from '../../../out/server/cluster/spdy/spdy-errors.js';

test('control frames carry the control bit, version 3, their type, flags and length (SPDY/3 §2.2.1)', () => {
	assert.equal(ping(7).toString('hex'), '80030006' + '00000004' + '00000007');
	assert.equal(rstStream(5, 5).toString('hex'), '80030003' + '00000008' + '00000005' + '00000005');
	assert.equal(windowUpdate(3, 65536).toString('hex'), '80030009' + '00000008' + '00000003' + '00010000');
	assert.equal(goAway(9, 0).toString('hex'), '80030007' + '00000008' + '00000009' + '00000000');
	assert.equal(settings([[7, 1 << 21]]).toString('hex'), '80030004' + '0000000c' + '00000001' + '00000007' + '00200000');
	assert.equal(synStream(1, FLAG_FIN, Buffer.from('ab')).toString('hex'), '80030001' + '0100000c' + '00000001' + '00000000' + '0000' + '6162');
});

test('a data frame header is the stream id without the control bit, then flags and a 24-bit length', () => {
	assert.equal(dataHeader(3, FLAG_FIN, 0x123456).toString('hex'), '00000003' + '01123456');
});

function readAll(bytes, cuts) {
	const seen = [];
	const reader = new FrameReader({
		control: (type, flags, body) => seen.push(['control', type, flags, body.toString('hex')]),
		data: (id, piece) => {
			const last = seen.at(-1);
			if (last?.[0] === 'data' && last[1] === id && !last.ended) last[2] += piece.toString('latin1');
			else seen.push(['data', id, piece.toString('latin1')]);
		},
		dataEnd: (id, flags) => {
			const last = seen.at(-1);
			if (last?.[0] === 'data' && last[1] === id && !last.ended) Object.assign(last, { ended: true, flags });
			else seen.push(Object.assign(['data', id, ''], { ended: true, flags }));
		},
	});
	let at = 0;
	for (const cut of [...cuts, bytes.length]) {
		reader.push(bytes.subarray(at, cut));
		at = cut;
	}
	return seen.map((entry) => (entry[0] === 'data' ? [...entry, entry.flags] : entry));
}

test('frames cut anywhere, a byte at a time or all at once, read the same', () => {
	const bytes = Buffer.concat([
		ping(1), dataHeader(1, 0, 5), Buffer.from('hello'), dataHeader(3, FLAG_FIN, 0), windowUpdate(0, 10),
		dataHeader(1, FLAG_FIN, 3), Buffer.from('end'),
	]);
	const whole = readAll(bytes, []);
	assert.deepEqual(whole, [
		['control', FrameType.ping, 0, '00000001'],
		['data', 1, 'hello', 0],
		['data', 3, '', FLAG_FIN],
		['control', FrameType.windowUpdate, 0, '000000000000000a'],
		['data', 1, 'end', FLAG_FIN],
	]);
	for (let cut = 1; cut < bytes.length; cut++) assert.deepEqual(readAll(bytes, [cut]), whole, `cut at ${cut}`);
	assert.deepEqual(readAll(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)), whole);
});

test('a control frame of another SPDY version is a protocol error', () => {
	const frame = controlFrame(FrameType.ping, 0, Buffer.alloc(4));
	frame.writeUInt16BE(0x8002, 0);
	assert.throws(() => new FrameReader({ control() {}, data() {}, dataEnd() {} }).push(frame), SpdyProtocolError);
});

test('SETTINGS entries read back by id', () => {
	const frame = settings([[7, 1000], [4, 100]]);
	assert.deepEqual([...readSettings(frame.subarray(8))], [[7, 1000], [4, 100]]);
	assert.throws(() => readSettings(Buffer.from('00000002', 'hex')), SpdyProtocolError);
});

test("the header dictionary is SPDY/3's, byte for byte (1423 bytes, its CRC-32 as computed from the specification's listing)", () => {
	assert.equal(HEADER_DICTIONARY.length, 1423);
	assert.equal(crc32(HEADER_DICTIONARY), 0x04c8490e);
});

test('a header block is a count, then length-prefixed lowercase names and values', () => {
	const block = encodeHeaderBlock([['StreamType', 'data'], ['port', '80']]);
	assert.equal(block.toString('hex'), '00000002' + '0000000a' + Buffer.from('streamtype').toString('hex') + '00000004' + Buffer.from('data').toString('hex')
		+ '00000004' + Buffer.from('port').toString('hex') + '00000002' + Buffer.from('80').toString('hex'));
	assert.deepEqual([...decodeHeaderBlock(block)], [['streamtype', 'data'], ['port', '80']]);
	assert.throws(() => decodeHeaderBlock(block.subarray(0, block.length - 1)), SpdyProtocolError);
});

test('header blocks compress in one zlib stream per direction: each later block reads only after the ones before it', async () => {
	const compressor = new HeaderCompressor();
	const decompressor = new HeaderDecompressor();
	const blocks = await Promise.all([1, 2, 3].map((n) => compressor.compress([['streamtype', 'data'], ['requestid', String(n)]])));
	// The dictionary and the blocks before make the later ones small.
	assert.ok(blocks[2].length < blocks[0].length, `${blocks.map((b) => b.length)}`);
	for (const [i, block] of blocks.entries()) assert.equal((await decompressor.decompress(block)).get('requestid'), String(i + 1));
	const fresh = new HeaderDecompressor();
	await assert.rejects(fresh.decompress(blocks[2]), SpdyProtocolError, 'a block read without the ones before it');
	for (const zlib of [compressor, decompressor, fresh]) zlib.close();
});
