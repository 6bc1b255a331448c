import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasBindCapability, needsPrivilegeToBind } from '../../../out/server/ports/privileged-ports.js';
import { elevatedCommand } from '../../../out/server/hosts/elevated-command.js';

const folder = mkdtempSync(join(tmpdir(), 'kb-lowport-'));
after(() => rmSync(folder, { recursive: true, force: true }));

test('CAP_NET_BIND_SERVICE is read from the effective set', () => {
	assert.equal(hasBindCapability('Name:\tnode\nCapEff:\t0000000000000400\n'), true);
	assert.equal(hasBindCapability('CapEff:\t000001ffffffffff\n'), true);
	assert.equal(hasBindCapability('CapEff:\t0000000000000000\n'), false);
	assert.equal(hasBindCapability('CapEff:\t0000000000000800\n'), false);
	assert.equal(hasBindCapability('no such line'), false);
});

test('only Linux keeps low ports from ordinary users', () => {
	assert.equal(needsPrivilegeToBind(80, 'darwin'), false);
	assert.equal(needsPrivilegeToBind(80, 'win32'), false);
	assert.equal(needsPrivilegeToBind(8080, 'linux'), false);
	if (process.platform === 'linux' && process.getuid() === 0) assert.equal(needsPrivilegeToBind(80, 'linux'), false, 'root may');
});

const setcap = spawnSync('/usr/sbin/setcap', ['-h']).error === undefined;
const why = process.platform !== 'linux' ? 'Linux only' : process.getuid() !== 0 ? 'needs root to set a file capability and to run as nobody'
	: !setcap ? 'needs setcap (libcap2-bin)' : false;

test('a non-root user binds port 80 on a kubebridge loopback address only with the capability', { skip: why }, () => {
	// A copy of the runtime stands for the packaged executable (itself a copy of it).
	const plain = join(folder, 'node-plain');
	const granted = join(folder, 'node-granted');
	for (const copy of [plain, granted]) { copyFileSync(process.execPath, copy); chmodSync(copy, 0o755); }
	chmodSync(folder, 0o755);
	const grant = spawnSync('/bin/sh', ['-c', elevatedCommand([{ kind: 'run', argv: ['/usr/sbin/setcap', 'cap_net_bind_service=+ep', granted] }], 'linux')], { encoding: 'utf8' });
	assert.equal(grant.status, 0, grant.stderr);
	const address = `127.1.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
	const probe = `const { needsPrivilegeToBind } = await import(${JSON.stringify(new URL('../../../out/server/ports/privileged-ports.js', import.meta.url).href)});
		const s = (await import('node:net')).createServer();
		s.once('error', (e) => { console.log(JSON.stringify({ needs: needsPrivilegeToBind(80), code: e.code })); });
		s.listen(80, ${JSON.stringify(address)}, () => { console.log(JSON.stringify({ needs: needsPrivilegeToBind(80), code: null })); s.close(); });`;
	const asNobody = (binary) => JSON.parse(spawnSync(binary, ['--input-type=module', '-e', probe], { uid: 65534, gid: 65534, encoding: 'utf8' }).stdout);
	assert.deepEqual(asNobody(plain), { needs: true, code: 'EACCES' });
	assert.deepEqual(asNobody(granted), { needs: false, code: null });
});
