import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { commandLine, parseProcNetTcp, socketInode } from '../../../out/server/ports/linux-proc-net.js';
import { parseNetstat, parseTasklist } from '../../../out/server/ports/windows-netstat.js';
import { parseLsof } from '../../../out/server/ports/macos-lsof.js';
import { blocksBind } from '../../../out/server/ports/listen-address.js';
import { windowsStopCommands } from '../../../out/server/ports/free-port.js';
import { localPortInUse } from '../../../out/server/ports/port-errors.js';

const fixture = (name) => readFileSync(new URL(`../../fixtures/ports/${name}`, import.meta.url), 'utf8');

test('/proc/net/tcp yields only LISTEN sockets, with little-endian addresses decoded', () => {
	assert.deepEqual(parseProcNetTcp(fixture('proc-net-tcp.txt'), true), [
		{ address: '127.0.0.1', port: 8765, inode: 40153 },
		{ address: '127.1.4.17', port: 8769, inode: 40157 },
	]);
});

test('/proc/net/tcp6 decodes ::, ::1 and IPv4-mapped listeners', () => {
	assert.deepEqual(parseProcNetTcp(fixture('proc-net-tcp6.txt'), true), [
		{ address: '::', port: 8767, inode: 40155 },
		{ address: '::ffff:127.0.0.1', port: 8768, inode: 40156 },
		{ address: '::1', port: 8766, inode: 40154 },
	]);
});

test('on a big-endian host the same words read the other way round', () => {
	const header = '  sl  local_address rem_address   st\n';
	const [listener] = parseProcNetTcp(`${header}   0: 7F000001:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 77 1\n`, false);
	assert.deepEqual(listener, { address: '127.0.0.1', port: 8080, inode: 77 });
});

test('fd links and cmdline files are read as the kernel writes them', () => {
	assert.equal(socketInode('socket:[40153]'), 40153);
	assert.equal(socketInode('pipe:[40153]'), null);
	assert.equal(socketInode('/dev/null'), null);
	assert.equal(commandLine(['node', 'server.js', '--port', '8080', ''].join('\0')), 'node server.js --port 8080');
});

test('netstat -ano: listeners found by their foreign address, in English and in German', () => {
	assert.deepEqual(parseNetstat(fixture('netstat-ano-tcp.txt')), [
		{ address: '0.0.0.0', port: 135, pid: 1024 },
		{ address: '0.0.0.0', port: 445, pid: 4 },
		{ address: '127.0.0.1', port: 8080, pid: 4420 },
		{ address: '192.168.1.20', port: 139, pid: 4 },
	]);
	assert.deepEqual(parseNetstat(fixture('netstat-ano-tcpv6-de.txt')), [
		{ address: '::', port: 135, pid: 1024 },
		{ address: '::1', port: 5432, pid: 3312 },
	]);
});

test('tasklist CSV: image names by pid, with commas in numbers and doubled quotes', () => {
	const images = parseTasklist(fixture('tasklist-csv.txt'));
	assert.equal(images.get(4420), 'node.exe');
	assert.equal(images.get(0), 'System Idle Process');
	assert.equal(images.get(9120), 'my "quoted" app.exe');
	assert.equal(images.size, 6);
});

test('lsof -F pcn: one holder per socket, * as every address', () => {
	assert.deepEqual(parseLsof(fixture('lsof-listen-8080.txt')), [
		{ address: '127.0.0.1', port: 8080, pid: 812, command: 'node' },
		{ address: '::1', port: 8080, pid: 812, command: 'node' },
		{ address: '0.0.0.0', port: 8080, pid: 97, command: 'postgres' },
	]);
});

test('which listeners stand in the way of a bind', () => {
	assert.ok(blocksBind('127.1.0.5', '127.1.0.5'));
	assert.ok(blocksBind('0.0.0.0', '127.1.0.5'));
	assert.ok(blocksBind('::', '127.0.0.1'));
	assert.ok(blocksBind('::ffff:127.0.0.1', '127.0.0.1'));
	assert.ok(blocksBind('127.0.0.1', '0.0.0.0'));
	assert.ok(!blocksBind('127.0.0.1', '127.1.0.5'));
	assert.ok(!blocksBind('0.0.0.0', '::1'));
	assert.ok(!blocksBind('::1', '127.0.0.1'));
});

test('Windows stops a holder politely first, then with /F', () => {
	assert.deepEqual(windowsStopCommands(4420), { polite: ['taskkill', '/PID', '4420'], force: ['taskkill', '/PID', '4420', '/F'] });
});

test('localPortInUse names the holder and says what to do', () => {
	const error = localPortInUse('127.0.0.1', 8080, [{ address: '127.0.0.1', port: 8080, pid: 4420, command: 'node server.js' }]);
	assert.equal(error.code, -33400);
	assert.deepEqual({ ...error.data, hint: undefined }, { reason: 'localPortInUse', address: '127.0.0.1', port: 8080, pid: 4420, command: 'node server.js', hint: undefined });
	assert.match(error.message, /127\.0\.0\.1:8080 is in use by pid 4420 \(node server\.js\)/);
	assert.match(error.data.hint, /another local port/);
	const hidden = localPortInUse('127.0.0.1', 80, [{ address: '0.0.0.0', port: 80, pid: null, command: null }]);
	assert.equal(hidden.data.pid, undefined);
	assert.match(hidden.message, /another user/);
});
