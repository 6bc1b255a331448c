// PodStreams against fake transports: which session a connection rides, when one is
// opened again, and when the WebSocket forward takes over.
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
		this.isOpen = true;
		this.forwards = [];
		this.closed = false;
		this.replyDelay = 0;
	}

	async forward(port) {
		if (this.replyDelay) await sleep(this.replyDelay);
		if (!this.isOpen) throw new Error('the session closed');
		const stream = new PassThrough();
		stream.port = port;
		stream.session = this;
		this.forwards.push(stream);
		return stream;
	}

	close() {
		this.closed = true;
		this.isOpen = false;
		this.emit('close');
	}
}

/** Transports that record what was asked; `refuseSpdy` answers sessions as an API server without SPDY would. */
function fakeTransports({ refuseSpdy = false, refuseAll = false, sessionDelay = 0 } = {}) {
	const sessions = [];
	const forwards = [];
	return {
		sessions, forwards,
		transports: {
			session: async ({ pod }) => {
				if (sessionDelay) await sleep(sessionDelay);
				if (refuseSpdy || refuseAll) throw new ForwardRefused(refuseAll ? 403 : 400, refuseAll ? 'forbidden' : 'no SPDY here');
				const session = new FakeSession(pod);
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

test('connections to one pod, asked for at once, ride one session; another pod has its own', async () => {
	const { sessions, transports } = fakeTransports({ sessionDelay: 20 });
	const streams = new PodStreams(transports);
	const opened = await Promise.all([streams.open(target('a')), streams.open(target('a', 7001)), streams.open(target('b'))]);
	assert.deepEqual(sessions.map((s) => s.pod), ['a', 'b']);
	assert.deepEqual(opened.map((s) => [s.session.pod, s.port]), [['a', 7000], ['a', 7001], ['b', 7000]]);
	streams.close();
	await sleep(0);
	assert.ok(sessions.every((s) => s.closed));
});

test('a session that closed is replaced by the next connection', async () => {
	const { sessions, transports } = fakeTransports();
	const streams = new PodStreams(transports);
	await streams.open(target('a'));
	sessions[0].close();
	const next = await streams.open(target('a'));
	assert.equal(sessions.length, 2);
	assert.equal(next.session, sessions[1]);
	streams.close();
});

test('an API server without SPDY over WebSocket gets a WebSocket forward per connection from then on', async () => {
	const fake = fakeTransports({ refuseSpdy: true });
	let asked = 0;
	const session = fake.transports.session;
	fake.transports.session = (where) => { asked++; return session(where); };
	const streams = new PodStreams(fake.transports);
	const first = await streams.open(target('a'));
	const second = await streams.open(target('b', 7001));
	assert.deepEqual([first.where, second.where], [target('a'), target('b', 7001)]);
	assert.equal(asked, 1, 'SPDY is asked for once');
	streams.close();
});

test('a forward refused outright fails with the WebSocket forward\'s refusal, and SPDY is still tried next time', async () => {
	const fake = fakeTransports({ refuseAll: true });
	let asked = 0;
	const session = fake.transports.session;
	fake.transports.session = (where) => { asked++; return session(where); };
	const streams = new PodStreams(fake.transports);
	await assert.rejects(streams.open(target('a')), (error) => error instanceof ForwardRefused && /forbidden/.test(error.message));
	await assert.rejects(streams.open(target('a')), ForwardRefused);
	assert.equal(asked, 2);
	streams.close();
});

test('a session with no connection left is closed after the idle time; one in use is kept', async () => {
	const { sessions, transports } = fakeTransports();
	const streams = new PodStreams(transports, 50);
	const kept = await streams.open(target('a'));
	const done = await streams.open(target('b'));
	done.destroy();
	await sleep(120);
	assert.equal(sessions[1].closed, true, 'the idle session is closed');
	assert.equal(sessions[0].closed, false, 'the session in use stays');
	kept.destroy();
	const again = await streams.open(target('b'));
	assert.equal(again.session, sessions[2], 'a new session for the pod whose session went idle');
	streams.close();
});

test('an abort while the stream opens rejects at once, and the stream that comes later is closed', async () => {
	const { sessions, transports } = fakeTransports();
	const streams = new PodStreams(transports, 50);
	await streams.open(target('a'));
	sessions[0].replyDelay = 80;
	const abort = new AbortController();
	const pending = streams.open(target('a'), abort.signal);
	await sleep(10);
	abort.abort();
	await assert.rejects(pending, /aborted/);
	await sleep(120);
	assert.equal(sessions[0].forwards.length, 2);
	assert.ok(sessions[0].forwards[1].destroyed, 'the late stream is not left open');
	streams.close();
});

test('a connection asked for after close is refused', async () => {
	const { transports } = fakeTransports();
	const streams = new PodStreams(transports);
	streams.close();
	await assert.rejects(streams.open(target('a')), /closed/);
});
