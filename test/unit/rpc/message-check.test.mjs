import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMessage } from '../../../out/server/rpc/message-check.js';

test('requests, notifications and responses pass', () => {
	assert.equal(checkMessage({ jsonrpc: '2.0', id: 1, method: 'x', params: {} }).ok, true);
	assert.equal(checkMessage({ jsonrpc: '2.0', id: 'a', method: 'x' }).ok, true);
	assert.equal(checkMessage({ jsonrpc: '2.0', method: 'x' }).ok, true);
	assert.equal(checkMessage({ jsonrpc: '2.0', id: 1, result: null }).ok, true);
});

test('a batch is refused as unsupported, an empty one as invalid', () => {
	assert.equal(checkMessage([{ jsonrpc: '2.0', id: 1, method: 'x' }]).reason, 'batchNotSupported');
	assert.equal(checkMessage([]).reason, 'invalidRequest');
});

test('non-objects and wrong versions are invalid requests, answered to their id when usable', () => {
	for (const value of [1, 'x', null, true]) assert.deepEqual(checkMessage(value).ok, false);
	const wrongVersion = checkMessage({ jsonrpc: '1.0', id: 7, method: 'x' });
	assert.equal(wrongVersion.code, -32600);
	assert.equal(wrongVersion.id, 7);
});

test('bad ids, methods and params are caught', () => {
	assert.equal(checkMessage({ jsonrpc: '2.0', id: 1.5, method: 'x' }).id, null);
	assert.equal(checkMessage({ jsonrpc: '2.0', id: null, method: 'x' }).ok, false);
	assert.equal(checkMessage({ jsonrpc: '2.0', id: 1, method: 5 }).code, -32600);
	assert.equal(checkMessage({ jsonrpc: '2.0', id: 1, method: 'x', params: 'str' }).code, -32602);
	assert.equal(checkMessage({ jsonrpc: '2.0', id: 1 }).code, -32600);
});

test('params: null counts as absent, for requests and notifications alike', () => {
	assert.deepEqual(checkMessage({ jsonrpc: '2.0', id: 1, method: 'shutdown', params: null }), { ok: true, message: { jsonrpc: '2.0', id: 1, method: 'shutdown' } });
	assert.deepEqual(checkMessage({ jsonrpc: '2.0', method: 'exit', params: null }).message, { jsonrpc: '2.0', method: 'exit' });
});

test('a $/cancelRequest is handed on only with a string or integer id; otherwise it is dropped unanswered', () => {
	assert.equal(checkMessage({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 'a' } }).ok, true);
	assert.equal(checkMessage({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 7 } }).ok, true);
	for (const params of [[], [1], {}, null, { id: null }, { id: 1.5 }, { id: [] }, { id: { toString: 1 } }]) {
		const checked = checkMessage({ jsonrpc: '2.0', method: '$/cancelRequest', params });
		assert.deepEqual([checked.ok, checked.respond, checked.reason], [false, false, 'invalidParams'], JSON.stringify(params));
	}
	assert.deepEqual(checkMessage({ jsonrpc: '2.0', method: '$/cancelRequest' }).respond, false);
});
