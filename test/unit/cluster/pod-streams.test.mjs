// PodStreams against fake transports: a session per connection, closed with it, and when
// the WebSocket forward takes over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { PodStreams } from '../../../out/server/cluster/pod-streams.js';
import { ForwardRefused } from '../../../out/server/cluster/portforward-socket.js';

const target = (pod, port = 7000) => ({ namespace: 'ns', pod, port });

class FakeSession extends EventEmitter {
	constructor(pod) {
		super();
		this.pod = pod;
		this.forwards = [];
		this.closed = false;
		this.replyDelay = 0;
	}

	async forward(port) {
		if (this.replyDelay) await sleep(this.replyDelay);
		if (this.closed) throw new Error('the session closed');
		const stream = new PassThrough();
		stream.port = port;
		stream.session = this;
		this.forwards.push(stream);
		return stream;
	}

	close() {
		this.closed = true;
		this.emit('close');
	}
}

/** Transports that record what was asked and made; `refuseSpdy` answers sessions as an API server without SPDY would. */
function fakeTransports({ refuseSpdy = false, refuseAll = false, sessionDelay = 0, replyDelay = 0 } = {}) {
	const sessions = [];
	const forwards = [];
	const asked = { sessions: 0 };
	return {
		sessions, forwards, asked,
		transports: {
			session: async ({ pod }, signal) => {
				asked.sessions++;
				if (signal?.aborted) throw new Error('aborted');
				if (sessionDelay) await sleep(sessionDelay);
				if (refuseSpdy || refuseAll) throw new ForwardRefused(refuseAll ? 403 : 400, refuseAll ? 'forbidden' : 'no SPDY here');
				const session = new FakeSession(pod);
				session.replyDelay = replyDelay;
				sessions.push(session);
				return session;
			},
			forward: async (where) => {
				if (refuseAll) throw new ForwardRefused(403, '{"message":"pods \\"x\\" is forbidden"}');
				const stream = new PassThrough();
				stream.where = where;
				forwards.push(stream);
				return stream;
			},
		},
	};
}

test('every connection rides a session of its own, and the session ends with it', async () => {
	const { sessions, transports } = fakeTransports({ sessionDelay: 20 });
	const streams = new PodStreams(transports);
	const opened = await Promise.all([streams.open(target('a')), streams.open(target('a', 7001)), streams.open(target('b'))]);
	assert.deepEqual(sessions.map((s) => s.pod), ['a', 'a', 'b']);
	assert.deepEqual(opened.map((s) => [s.session.pod, s.port]), [['a', 7000], ['a', 7001], ['b', 7000]]);
	assert.equal(new Set(opened.map((s) => s.session)).size, 3);
	opened[1].destroy();
	await sleep(0);
	assert.deepEqual(sessions.map((s) => s.closed), [false, true, false]);
	streams.close();
	assert.ok(sessions.every((s) => s.closed));
});

test('an API server without SPDY over WebSocket gets a WebSocket forward per connection from then on', async () => {
	const fake = fakeTransports({ refuseSpdy: true });
	const streams = new PodStreams(fake.transports);
	const first = await streams.open(target('a'));
	const second = await streams.open(target('b', 7001));
	assert.deepEqual([first.where, second.where], [target('a'), target('b', 7001)]);
	assert.equal(fake.asked.sessions, 1, 'SPDY is asked for once');
	streams.close();
});

test('a forward refused outright fails with the WebSocket forward\'s refusal, and SPDY is still tried next time', async () => {
	const fake = fakeTransports({ refuseAll: true });
	const streams = new PodStreams(fake.transports);
	await assert.rejects(streams.open(target('a')), (error) => error instanceof ForwardRefused && /forbidden/.test(error.message));
	await assert.rejects(streams.open(target('a')), ForwardRefused);
	assert.equal(fake.asked.sessions, 2);
	streams.close();
});

test('an abort while the stream opens rejects at once and closes the session it was opening on', async () => {
	const { sessions, transports } = fakeTransports({ replyDelay: 80 });
	const streams = new PodStreams(transports);
	const abort = new AbortController();
	const pending = streams.open(target('a'), abort.signal);
	await sleep(20);
	abort.abort();
	await assert.rejects(pending, /aborted/);
	assert.equal(sessions[0].closed, true);
	streams.close();
});

test('a session that opens after close is closed, and a connection asked for after close is refused', async () => {
	const { sessions, transports } = fakeTransports({ sessionDelay: 30 });
	const streams = new PodStreams(transports);
	const pending = streams.open(target('a'));
	streams.close();
	await assert.rejects(pending, /closed/);
	assert.equal(sessions[0].closed, true);
	await assert.rejects(streams.open(target('a')), /closed/);
});
