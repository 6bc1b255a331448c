// The local copy of a container's mounted files, against a stand-in for the agent: where
// files land, their permissions, what a refresh reads again, and what it removes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileMirror, localModeOf } from '../../../out/server/files/file-mirror.js';

const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');
const mode = (path) => statSync(path).mode & 0o777;

/**
 * The agent seam: `files` maps a container path to its content (a string, or
 * `{ text, mode, skipped }`); mounts list what lies under them. Counts the reads.
 */
function fakeSource(files, { pod = 'agent-0' } = {}) {
	const source = {
		files, reads: [], failList: null,
		async list(mountPaths) {
			if (source.failList) throw new Error(source.failList);
			const mounts = mountPaths.map((mountPath) => {
				if (mountPath === '/missing') return { mountPath, error: 'missing', entries: [] };
				const entries = [];
				const dirs = new Set();
				for (const [path, value] of Object.entries(source.files)) {
					if (path !== mountPath && !path.startsWith(`${mountPath}/`)) continue;
					const relative = path.slice(mountPath.length + 1);
					const parts = relative.split('/');
					for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
					const { text, mode: fileMode = 0o644, skipped } = typeof value === 'string' ? { text: value } : value;
					entries.push({ path: relative, type: 'file', mode: fileMode, size: Buffer.byteLength(text), ...(skipped ? { skipped } : { sha256: sha(text) }) });
				}
				for (const dir of dirs) entries.push({ path: dir, type: 'dir', mode: 0o755, size: 0 });
				return { mountPath, entries };
			});
			return {
				pod, mounts,
				read: async (path) => {
					source.reads.push(path);
					const value = source.files[path];
					const text = typeof value === 'string' ? value : value.text;
					return { bytes: Buffer.from(text), sha256: sha(text) };
				},
			};
		},
	};
	return source;
}

const MOUNTS = [
	{ name: 'config', mountPath: '/etc/config', kind: 'configMap', secret: false },
	{ name: 'creds', mountPath: '/etc/creds', kind: 'secret', secret: true },
	{ name: 'settings', mountPath: '/app/settings.json', kind: 'configMap', secret: false },
];

function withRoot(run) {
	return async () => {
		const root = mkdtempSync(join(tmpdir(), 'kb-mirror-'));
		try {
			await run(root);
		} finally {
			rmSync(root, { recursive: true, force: true });
		}
	};
}

test('each mount lands at its own path under the root, owner-only, secrets 0600', withRoot(async (root) => {
	const source = fakeSource({
		'/etc/config/app.yaml': 'a: 1\n',
		'/etc/config/scripts/run.sh': { text: '#!/bin/sh\n', mode: 0o755 },
		'/etc/creds/password': { text: 'hunter2', mode: 0o644 },
		'/app/settings.json': '{}',
	});
	const mirror = new FileMirror(root, MOUNTS, source);
	const changed = await mirror.refresh();
	assert.equal(changed.length, 4);
	assert.equal(readFileSync(join(root, 'etc/config/app.yaml'), 'utf8'), 'a: 1\n');
	assert.equal(readFileSync(join(root, 'etc/creds/password'), 'utf8'), 'hunter2');
	assert.equal(readFileSync(join(root, 'app/settings.json'), 'utf8'), '{}');
	assert.equal(mode(join(root, 'etc/config/app.yaml')), 0o600);
	assert.equal(mode(join(root, 'etc/config/scripts/run.sh')), 0o700, 'an executable keeps the owner execute bit');
	assert.equal(mode(join(root, 'etc/creds/password')), 0o600, 'a secret is 0600 whatever its mode in the pod');
	for (const dir of ['etc', 'etc/config', 'etc/config/scripts', 'etc/creds', 'app']) assert.equal(mode(join(root, dir)), 0o700, dir);
	const { mounts, pod, refreshError } = mirror.current;
	assert.equal(pod, 'agent-0');
	assert.equal(refreshError, null);
	assert.deepEqual(mounts.map((m) => [m.mountPath, m.localPath, m.fileCount, m.bytes, m.secret]), [
		['/etc/config', join(root, 'etc/config'), 2, 15, false],
		['/etc/creds', join(root, 'etc/creds'), 1, 7, true],
		['/app/settings.json', join(root, 'app/settings.json'), 1, 2, false],
	]);
}));

test('a refresh reads only what changed, and removes what the container no longer has', withRoot(async (root) => {
	const source = fakeSource({ '/etc/config/a': 'one', '/etc/config/b': 'two', '/etc/config/sub/c': 'three' });
	const mirror = new FileMirror(root, [MOUNTS[0]], source);
	await mirror.refresh();
	source.reads.length = 0;
	assert.deepEqual(await mirror.refresh(), [], 'nothing changed, nothing read');
	assert.deepEqual(source.reads, []);
	source.files['/etc/config/a'] = 'one, updated';
	delete source.files['/etc/config/b'];
	delete source.files['/etc/config/sub/c'];
	const changed = await mirror.refresh();
	assert.deepEqual(source.reads, ['/etc/config/a']);
	assert.deepEqual(changed.sort(), [join(root, 'etc/config/a'), join(root, 'etc/config/b'), join(root, 'etc/config/sub/c')]);
	assert.equal(readFileSync(join(root, 'etc/config/a'), 'utf8'), 'one, updated');
	assert.equal(existsSync(join(root, 'etc/config/b')), false);
	assert.equal(existsSync(join(root, 'etc/config/sub')), false, 'a folder the container no longer has goes too');
}));

test('files the agent could not read are listed per mount, and a failed listing keeps the copy', withRoot(async (root) => {
	const source = fakeSource({ '/etc/creds/token': 'tkn', '/etc/creds/locked': { text: '', skipped: 'unreadable' } });
	const mirror = new FileMirror(root, [MOUNTS[1], { name: 'gone', mountPath: '/missing', kind: 'emptyDir', secret: false }], source);
	await mirror.refresh();
	const [creds, gone] = mirror.current.mounts;
	assert.deepEqual(creds.skipped, [{ path: '/etc/creds/locked', reason: 'unreadable' }]);
	assert.equal(creds.skippedCount, 1);
	assert.equal(creds.fileCount, 1);
	assert.equal(existsSync(join(root, 'etc/creds/locked')), false);
	assert.equal(gone.error, 'missing');
	source.failList = 'the port-forward dropped';
	assert.deepEqual(await mirror.refresh(), []);
	assert.equal(mirror.current.refreshError, 'the port-forward dropped');
	assert.equal(readFileSync(join(root, 'etc/creds/token'), 'utf8'), 'tkn', 'the copy stays as it was');
}));

test("names from the agent that would climb out of the root are never used", withRoot(async (root) => {
	const source = fakeSource({});
	source.list = async () => ({
		pod: 'agent-0',
		mounts: [{ mountPath: '/etc/config', entries: [
			{ path: '../../escaped', type: 'file', mode: 0o644, size: 1, sha256: sha('x') },
			{ path: 'ok', type: 'file', mode: 0o644, size: 1, sha256: sha('x') },
		] }, { mountPath: '/../up', entries: [{ path: 'f', type: 'file', mode: 0o644, size: 1, sha256: sha('x') }] },
		{ mountPath: 'relative', entries: [{ path: 'f', type: 'file', mode: 0o644, size: 1, sha256: sha('x') }] }],
		read: async () => ({ bytes: Buffer.from('x'), sha256: sha('x') }),
	});
	const mirror = new FileMirror(root, [MOUNTS[0], { name: 'up', mountPath: '/../up', kind: 'emptyDir', secret: false },
		{ name: 'rel', mountPath: 'relative', kind: 'emptyDir', secret: false }], source);
	await mirror.refresh();
	assert.equal(existsSync(join(root, 'etc/config/ok')), true);
	assert.equal(existsSync(join(root, 'escaped')), false);
	assert.equal(existsSync(join(root, '..', 'escaped')), false);
	assert.equal(existsSync(join(root, '..', 'up')), false);
	assert.equal(readFileSync(join(root, 'up/f'), 'utf8'), 'x', 'the container resolves /../up to /up, and so does the copy');
	assert.equal(mirror.current.mounts[2].error, 'unsafePath');
	assert.equal(existsSync(join(root, 'relative')), false);
}));

test('local modes: owner-only, execute kept for non-secret executables', () => {
	assert.equal(localModeOf(0o644, false), 0o600);
	assert.equal(localModeOf(0o755, false), 0o700);
	assert.equal(localModeOf(0o755, true), 0o600);
	assert.equal(localModeOf(0o400, true), 0o600);
});
