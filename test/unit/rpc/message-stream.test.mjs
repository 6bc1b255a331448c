import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { CheckedMessageReader } from '../../../out/server/rpc/message-stream.js';
import { encode } from '../../helpers/wire.mjs';

test('a message the library throws on is answered with InternalError, and the rest of the chunk still arrives', () => {
	const input = new PassThrough();
	const rejected = [];
	const reader = new CheckedMessageReader(input, 'headers', (r) => rejected.push(r));
	const delivered = [];
	reader.listen((message) => {
		if (message.id === 'boom') throw new TypeError('library bug');
		delivered.push(message.id ?? message.method);
	});
	input.write(Buffer.concat([
		encode({ jsonrpc: '2.0', id: 'boom', method: 'x' }),
		encode({ jsonrpc: '2.0', id: 'after', method: 'x' }),
		encode({ jsonrpc: '2.0', method: 'note' }),
	]));
	assert.deepEqual(delivered, ['after', 'note']);
	assert.deepEqual(rejected.map((r) => [r.respond, r.id, r.code, r.reason]), [[true, 'boom', -32603, 'internalError']]);
});

test('bad notifications are reported for the log only; bad requests and framing are answered', () => {
	const input = new PassThrough();
	const rejected = [];
	new CheckedMessageReader(input, 'headers', (r) => rejected.push(r)).listen(() => undefined);
	input.write(Buffer.concat([
		encode({ jsonrpc: '2.0', method: '$/cancelRequest', params: {} }),
		encode({ jsonrpc: '2.0', method: 'note', params: 5 }),
		encode({ jsonrpc: '2.0', id: 3, method: 'x', params: 5 }),
		encode('{oops'),
	]));
	assert.deepEqual(rejected.map((r) => [r.respond, r.id]), [[false, null], [false, null], [true, 3], [true, null]]);
});
