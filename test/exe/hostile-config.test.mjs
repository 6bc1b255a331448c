// Workspace configuration files a user did not mean to write, read by the packaged
// executable through `config/get`: binary junk, a file past the limit, a symlink to a
// device, a directory, a named pipe. Each is a typed ConfigInvalid error naming the file,
// answered at once, and the folder is left exactly as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes } from '../../out/protocol/index.js';
import { startSidecar } from '../helpers/executable.mjs';

const CASES = {
	junk: (file) => writeFileSync(file, Buffer.concat([randomBytes(4096), Buffer.from([0])])),
	huge: (file) => { writeFileSync(file, 'version: 1\n'); truncateSync(file, 64 << 20); },
	zero: (file) => symlinkSync('/dev/zero', file),
	directory: (file) => mkdirSync(file),
	pipe: (file) => execFileSync('mkfifo', [file]),
};

const snapshot = (dir) => readdirSync(dir).map((name) => {
	const stat = lstatSync(join(dir, name));
	return { name, mode: stat.mode, size: stat.size, ino: stat.ino, mtime: stat.mtimeMs, bytes: stat.isFile() && stat.size < 1e6 ? readFileSync(join(dir, name)).toString('hex') : null };
});

for (const [name, make] of Object.entries(CASES)) {
	test(`kubebridge.yaml as ${name}: config/get answers a typed ConfigInvalid, and the folder is unchanged`, async (t) => {
		const dir = mkdtempSync(join(tmpdir(), 'kb-hostile-config-'));
		t.after(() => rmSync(dir, { recursive: true, force: true }));
		make(join(dir, 'kubebridge.yaml'));
		const before = snapshot(dir);
		const sidecar = startSidecar();
		try {
			assert.ok((await sidecar.client.initialize({ workspaceFolder: dir })).result);
			const response = await sidecar.client.request('config/get', {}, 10_000);
			assert.equal(response.error?.code, ErrorCodes.ConfigInvalid, JSON.stringify(response));
			assert.equal(response.error.data.file, join(dir, 'kubebridge.yaml'));
			assert.deepEqual(snapshot(dir), before);
			await sidecar.client.request('shutdown');
			sidecar.client.notify('exit');
			assert.equal(await sidecar.exited, 0);
		} finally {
			if (sidecar.child.exitCode === null) sidecar.child.kill('SIGKILL');
		}
	});
}
