// Workspace configuration files a user did not mean to write: binary junk, a file far too
// big, a symlink to a device, a directory, a named pipe. Each is a typed configInvalid
// error naming the file, at once (a pipe must not block the read), and the folder is left
// exactly as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_FILE_NAME, loadWorkspaceConfig, MAX_CONFIG_BYTES } from '../../../out/server/config/config-file.js';
import { ErrorCodes } from '../../../out/protocol/index.js';

/** A folder with `make(file)` as its kubebridge.yaml; its listing and bytes before and after must match. */
function folderWith(t, make) {
	const dir = mkdtempSync(join(tmpdir(), 'kubebridge-hostile-config-'));
	t.after(() => rmSync(dir, { recursive: true, force: true }));
	make(join(dir, CONFIG_FILE_NAME), dir);
	return dir;
}

function snapshot(dir) {
	return readdirSync(dir).map((name) => {
		const stat = lstatSync(join(dir, name));
		return { name, mode: stat.mode, size: stat.size, mtime: stat.mtimeMs, bytes: stat.isFile() && stat.size < 1e6 ? readFileSync(join(dir, name)).toString('hex') : null };
	});
}

function refused(dir, problem) {
	const before = snapshot(dir);
	assert.throws(() => loadWorkspaceConfig(dir), (error) => {
		assert.equal(error.code, ErrorCodes.ConfigInvalid);
		assert.equal(error.data.reason, 'configInvalid');
		assert.equal(error.data.file, join(dir, CONFIG_FILE_NAME));
		assert.match(error.message, problem);
		return true;
	});
	assert.deepEqual(snapshot(dir), before, 'the folder is unchanged');
}

test('binary junk is a YAML error with a position', (t) => {
	const dir = folderWith(t, (file) => writeFileSync(file, Buffer.concat([randomBytes(4096), Buffer.from([0, 0xff, 0xfe])])));
	refused(dir, /not valid YAML|expected|must be/);
});

test('NUL bytes inside an otherwise valid document are refused', (t) => {
	const dir = folderWith(t, (file) => writeFileSync(file, 'version: 1\0\0\n'));
	refused(dir, /version/);
});

test('a file past the size limit is refused before it is read', (t) => {
	const dir = folderWith(t, (file) => { writeFileSync(file, 'version: 1\n'); truncateSync(file, 64 * MAX_CONFIG_BYTES); });
	refused(dir, new RegExp(`cannot be read: it is ${64 * MAX_CONFIG_BYTES} bytes; at most ${MAX_CONFIG_BYTES} are read`));
});

test('a symlink to a device, a directory and a named pipe are not regular files', (t) => {
	refused(folderWith(t, (file) => symlinkSync('/dev/zero', file)), /not a regular file/);
	refused(folderWith(t, (file) => mkdirSync(file)), /not a regular file/);
	refused(folderWith(t, (file) => execFileSync('mkfifo', [file])), /not a regular file/);
});

test('a dangling symlink is no configuration; a symlink to a regular file is read', (t) => {
	assert.equal(loadWorkspaceConfig(folderWith(t, (file) => symlinkSync('/nonexistent/kubebridge.yaml', file))), null);
	const dir = folderWith(t, (file, folder) => {
		writeFileSync(join(folder, 'shared.yaml'), 'version: 1\n');
		symlinkSync('shared.yaml', file);
	});
	assert.deepEqual(loadWorkspaceConfig(dir).config, { version: 1 });
});

test('a symlink loop is a typed error, not a raw system error', (t) => {
	refused(folderWith(t, (file) => symlinkSync(CONFIG_FILE_NAME, file)), /cannot be read: ELOOP/);
});
