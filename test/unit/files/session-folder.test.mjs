// The per-session folder: owner-only, with its owner recorded, and removed by a later run
// once its process is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSessionFolder, removeStaleSessionFolders } from '../../../out/server/files/session-folder.js';

test('a session folder is owner-only, names its owner, and is never reused', () => {
	const base = mkdtempSync(join(tmpdir(), 'kb-sessions-'));
	try {
		const folder = createSessionFolder('abcd1234', base);
		assert.equal(statSync(folder).mode & 0o777, 0o700);
		const owner = JSON.parse(readFileSync(join(folder, 'owner.json'), 'utf8'));
		assert.equal(owner.pid, process.pid);
		assert.equal(owner.session, 'abcd1234');
		assert.equal(statSync(join(folder, 'owner.json')).mode & 0o777, 0o600);
		assert.throws(() => createSessionFolder('abcd1234', base), /EEXIST/);
	} finally {
		rmSync(base, { recursive: true, force: true });
	}
});

test("the folders of dead processes are removed, a live one's and a fresh unowned one are kept", () => {
	const base = mkdtempSync(join(tmpdir(), 'kb-sessions-'));
	try {
		const live = createSessionFolder('live0001', base);
		const dead = spawnSync(process.execPath, ['-e', `require('node:fs').mkdirSync(${JSON.stringify(join(base, 'dead0001'))}, { mode: 0o700 });
			require('node:fs').writeFileSync(${JSON.stringify(join(base, 'dead0001', 'owner.json'))}, JSON.stringify({ session: 'dead0001', pid: process.pid, since: '' }))`]);
		assert.equal(dead.status, 0);
		const fresh = join(base, 'fresh001');
		mkdirSync(fresh);
		const old = join(base, 'old00001');
		mkdirSync(old);
		utimesSync(old, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
		const removed = removeStaleSessionFolders(base);
		assert.deepEqual(removed.sort(), [join(base, 'dead0001'), old].sort());
		assert.equal(existsSync(live), true);
		assert.equal(existsSync(fresh), true);
	} finally {
		rmSync(base, { recursive: true, force: true });
	}
});
