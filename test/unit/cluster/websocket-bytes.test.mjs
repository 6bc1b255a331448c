// WebSocketBytes against a real WebSocket server on loopback: how queued writes become messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import WebSocket, { WebSocketServer } from 'ws';
import { WebSocketBytes } from '../../../out/server/cluster/websocket-bytes.js';
import { waitUntil } from '../../helpers/wait-until.mjs';

/** A WebSocket server on loopback that keeps every binary message it gets, and a client's WebSocketBytes over it. */
async function bytesToRecorder(t) {
	const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
	await once(server, 'listening');
	const messages = [];
	server.on('connection', (ws) => ws.on('message', (data) => messages.push(data)));
	const ws = new WebSocket(`ws://127.0.0.1:${server.address().port}`);
	// 'open' follows 'upgrade' in the same tick: both are waited for from the start.
	const [[response]] = await Promise.all([once(ws, 'upgrade'), once(ws, 'open')]);
	const bytes = new WebSocketBytes(ws, response.socket);
	t.after(() => { bytes.destroy(); server.close(); });
	return { bytes, messages };
}

test('writes queued together keep their order; small ones are joined into a message, large ones go out each as a message of its own', async (t) => {
	const { bytes, messages } = await bytesToRecorder(t);
	const pieces = [Buffer.from('header'), Buffer.from('10000\r\n'), randomBytes(64 * 1024), Buffer.from('\r\n'), Buffer.from('next'), randomBytes(20_000), Buffer.from('\r\n')];
	bytes.cork();
	for (const piece of pieces) bytes.write(piece);
	bytes.uncork();
	const all = Buffer.concat(pieces);
	await waitUntil(() => messages.reduce((sum, m) => sum + m.length, 0) >= all.length);
	assert.ok(Buffer.concat(messages).equals(all));
	assert.deepEqual(messages.map((m) => m.length), [13, 64 * 1024, 6, 20_000, 2]);
});
