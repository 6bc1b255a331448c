import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { askSession, serveControl } from '../../../out/vs-adapter/session/control-channel.js';
import { controlPath, deleteState, readState, sessionKey, writeState } from '../../../out/vs-adapter/session/session-state.js';

test('one key per solution folder; on Windows the folder compares without case, and the channel is a named pipe', () => {
	assert.equal(sessionKey('C:\\src\\Shop', 'win32'), sessionKey('c:\\SRC\\shop', 'win32'));
	assert.notEqual(sessionKey('/src/Shop', 'linux'), sessionKey('/src/shop', 'linux'));
	assert.match(sessionKey('/src/Shop'), /^[0-9a-f]{16}$/);
	assert.equal(controlPath('C:\\Users\\dev\\AppData\\Local\\Temp\\kubebridge\\vs-adapter\\sessions', 'abc', 'win32'), '\\\\.\\pipe\\kubebridge-vs-abc');
	assert.equal(controlPath('/tmp/s', 'abc', 'linux'), '/tmp/s/abc.sock');
});

test('the state file is private, whole, and gone after delete; an unknown version reads as none', () => {
	const directory = join(mkdtempSync(join(tmpdir(), 'kb-vs-state-')), 'sessions');
	const state = { version: 1, pid: 1, sidecarPid: 2, solutionDir: '/s', projectDir: '/s/p', service: 'api', namespace: 'ns', localPort: 5000,
		sessionId: 'x', profile: null, logFiles: [], control: '/s.sock', startedAt: 'now' };
	writeState(directory, 'k', state);
	assert.deepEqual(readState(directory, 'k'), state);
	assert.equal(statSync(directory).mode & 0o777, 0o700);
	assert.equal(statSync(join(directory, 'k.json')).mode & 0o777, 0o600);
	assert.deepEqual(readdirSync(directory), ['k.json'], 'no temporary file left');
	writeState(directory, 'k', { ...state, version: 2 });
	assert.equal(readState(directory, 'k'), null);
	deleteState(directory, 'k');
	assert.equal(readState(directory, 'k'), null);
});

test('the control channel answers each command, and asking a session that is gone fails', async () => {
	const path = join(mkdtempSync(join(tmpdir(), 'kb-vs-ctl-')), 'k.sock');
	const asked = [];
	const server = await serveControl(path, async (command) => {
		asked.push(command);
		return { lines: [`answer to ${command}`], failed: command === 'diagnostics' };
	});
	assert.deepEqual(await askSession(path, 'status', 5000), { lines: ['answer to status'], failed: false });
	assert.deepEqual(await askSession(path, 'diagnostics', 5000), { lines: ['answer to diagnostics'], failed: true });
	assert.deepEqual(asked, ['status', 'diagnostics']);
	await new Promise((resolve) => server.close(resolve));
	await assert.rejects(askSession(path, 'status', 5000), (e) => ['ENOENT', 'ECONNREFUSED'].includes(e.code));
	// A socket file a killed session left is replaced, not an error.
	const again = await serveControl(path, async () => ({ lines: [], failed: false }));
	assert.deepEqual(await askSession(path, 'disconnect', 5000), { lines: [], failed: false });
	await new Promise((resolve) => again.close(resolve));
});
