// The chunked coding each tunnel direction uses: whatever the chunks and however the wire
// splits them, the bytes come back exactly and the end is seen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChunkedDecoder, ChunkedEncoder } from '../../../out/agent/src/contract/chunked.js';

async function roundTrip(chunks, cuts) {
	const encoder = new ChunkedEncoder();
	const encoded = [];
	encoder.on('data', (d) => encoded.push(d));
	const ended = new Promise((resolve) => encoder.on('end', resolve));
	for (const chunk of chunks) encoder.write(chunk);
	encoder.end();
	await ended;
	const wire = Buffer.concat(encoded);
	const decoder = new ChunkedDecoder();
	const decoded = [];
	decoder.on('data', (d) => decoded.push(d));
	const done = new Promise((resolve, reject) => { decoder.on('end', resolve); decoder.on('error', reject); });
	let at = 0;
	for (const cut of [...cuts.map((c) => c % (wire.length + 1))].sort((a, b) => a - b)) {
		decoder.write(wire.subarray(at, cut));
		at = cut;
	}
	decoder.end(wire.subarray(at));
	await done;
	return { bytes: Buffer.concat(decoded), finished: decoder.finished };
}

test('any chunks, split anywhere on the wire, decode to the same bytes and the end', async () => {
	await fc.assert(fc.asyncProperty(
		fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 12 }),
		fc.array(fc.nat(), { maxLength: 20 }),
		async (chunks, cuts) => {
			const { bytes, finished } = await roundTrip(chunks.map((c) => Buffer.from(c)), cuts);
			assert.ok(bytes.equals(Buffer.concat(chunks.map((c) => Buffer.from(c)))));
			assert.ok(finished);
		}), { numRuns: 300, seed: 20261122 });
});

test('a stream that ends before the last chunk is an error, not a silent end', async () => {
	const decoder = new ChunkedDecoder();
	decoder.resume();
	const failed = new Promise((resolve) => decoder.on('error', resolve));
	decoder.end('5\r\nhel');
	assert.match((await failed).message, /before the last chunk/);
});

test('bytes that are not chunked coding are refused', async () => {
	const decoder = new ChunkedDecoder();
	decoder.resume();
	const failed = new Promise((resolve) => decoder.on('error', resolve));
	decoder.write('GET / HTTP/1.1\r\n');
	assert.match((await failed).message, /bad chunk size line/);
});
