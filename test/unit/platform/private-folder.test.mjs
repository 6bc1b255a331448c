// Folders for secret files: mode 0700, and on Windows (which ignores the mode) an owner-only
// ACL set through icacls. The program runner is faked, so the Windows command is checked
// here on any machine; the Windows phase sees wine run it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentAccount, makePrivateFolder, ownerOnlyAcl } from '../../../out/server/platform/private-folder.js';

const WINDOWS_ENV = { SystemRoot: 'D:\\WINNT', USERDOMAIN: 'CONTOSO', USERNAME: 'dev one' };

function scratch(run) {
	const base = mkdtempSync(join(tmpdir(), 'kb-private-'));
	try {
		return run(base);
	} finally {
		rmSync(base, { recursive: true, force: true });
	}
}

test('the Windows command: icacls by its full path, inheritance removed, one inherited full-control grant for DOMAIN\\user', () => {
	assert.deepEqual(ownerOnlyAcl('C:\\Users\\dev one\\AppData\\Local\\Temp\\kubebridge\\sessions\\ab12', WINDOWS_ENV), {
		file: 'D:\\WINNT\\System32\\icacls.exe',
		args: ['C:\\Users\\dev one\\AppData\\Local\\Temp\\kubebridge\\sessions\\ab12', '/inheritance:r', '/grant:r', 'CONTOSO\\dev one:(OI)(CI)F', '/q'],
	});
	assert.equal(ownerOnlyAcl('C:\\x', {}).file, 'C:\\Windows\\System32\\icacls.exe');
	assert.equal(currentAccount({ USERNAME: 'solo' }), 'solo', 'no domain: the plain user name');
});

test('on Windows a folder created here gets the ACL, once; one that was there already is left as it is', () => scratch((base) => {
	const calls = [];
	const options = { platform: 'win32', env: WINDOWS_ENV, run: (file, args) => calls.push([file, ...args]) };
	const folder = join(base, 'a', 'b');
	makePrivateFolder(folder, options);
	assert.deepEqual(calls, [[ownerOnlyAcl(folder, WINDOWS_ENV).file, ...ownerOnlyAcl(folder, WINDOWS_ENV).args]]);
	makePrivateFolder(folder, options);
	assert.equal(calls.length, 1, 'no second icacls for a folder that exists');
	assert.throws(() => makePrivateFolder(folder, { ...options, recursive: false }), /EEXIST/, 'non-recursive: a folder is never reused');
	assert.equal(calls.length, 1);
}));

test('where modes count the folder is 0700 and no program runs', () => scratch((base) => {
	const calls = [];
	const folder = join(base, 'private');
	makePrivateFolder(folder, { platform: 'linux', run: (...call) => calls.push(call) });
	assert.equal(statSync(folder).mode & 0o777, 0o700);
	assert.deepEqual(calls, []);
}));

test('an icacls that fails is a clear error naming the folder and what icacls said', () => scratch((base) => {
	const failing = () => { throw Object.assign(new Error('Command failed'), { stderr: Buffer.from('Access is denied.\r\n') }); };
	const folder = join(base, 's');
	assert.throws(() => makePrivateFolder(folder, { platform: 'win32', env: WINDOWS_ENV, run: failing }),
		(error) => error.message === `Could not make ${folder} readable by its owner only (icacls: Access is denied.).`);
}));
