// `session/restore` on this machine: a dead session's block of the hosts file and its
// session folder go, byte for byte, while a live session's stay.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeLocalLeftovers } from '../../../out/server/session/local-leftovers.js';
import { createSessionFolder } from '../../../out/server/files/session-folder.js';
import { Logger } from '../../../out/server/log/logger.js';

const scratch = mkdtempSync(join(tmpdir(), 'kb-local-leftovers-'));
const alive = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
after(() => {
	alive.kill();
	rmSync(scratch, { recursive: true, force: true });
});

const deadPid = () => spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
const block = (session, pid, address) =>
	`# >>> kubebridge session=${session} pid=${pid}: cluster names, removed when the session ends\r\n${address} orders\r\n${address} orders.shop\r\n# <<< kubebridge session=${session}\r\n`;

test("a dead session's names and folder go, a live session's stay, and the file is otherwise byte-identical", async () => {
	const original = '127.0.0.1\tlocalhost\r\n# kept as it is\r\n::1 ip6-localhost';
	const liveBlock = block('alive001', alive.pid, '127.1.0.2');
	const path = join(scratch, 'hosts');
	writeFileSync(path, `${original}\r\n${block('dead0001', deadPid(), '127.1.0.1')}${liveBlock}`, 'latin1');

	const sessions = join(scratch, 'sessions');
	mkdirSync(sessions);
	const liveFolder = createSessionFolder('alive001', sessions);
	const deadFolder = join(sessions, 'dead0001');
	mkdirSync(deadFolder);
	writeFileSync(join(deadFolder, 'owner.json'), JSON.stringify({ session: 'dead0001', pid: Number(deadPid()), since: '' }));
	writeFileSync(join(deadFolder, 'secret'), 'a copied secret');

	const cleaned = await removeLocalLeftovers(path, new Logger(null), sessions);
	assert.deepEqual(cleaned, [`${path}: the names of session dead0001`, deadFolder]);
	assert.equal(readFileSync(path, 'latin1'), `${original}\r\n${liveBlock}`);
	assert.equal(existsSync(deadFolder), false);
	assert.equal(existsSync(liveFolder), true);
	assert.deepEqual(await removeLocalLeftovers(path, new Logger(null), sessions), [], 'a second restore finds nothing more');
});

test('a hosts file that cannot be read is a typed error naming it', async () => {
	const missing = join(scratch, 'no-such-hosts');
	await assert.rejects(removeLocalLeftovers(missing, new Logger(null), join(scratch, 'none')),
		(error) => error.data?.reason === 'hostsFileFailed' && error.message.includes(missing));
});
