import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findBlocks, lineEnding, withBlock, withoutBlocks } from '../../../out/server/hosts/hosts-block.js';

const owner = { sessionId: 'a1b2', pid: 4242 };
const other = { sessionId: 'c3d4', pid: 4343 };
const entries = [
	{ address: '127.1.4.17', names: ['orders', 'orders.shop', 'orders.shop.svc', 'orders.shop.svc.cluster.local'] },
	{ address: '127.1.9.3', names: ['db-0.db', 'db-0.db.shop'] },
];
const latin1 = (bytes) => Buffer.from(bytes).toString('latin1');
const mine = (b) => b.sessionId === owner.sessionId;

const shapes = {
	'LF with comments': '# static table\n127.0.0.1\tlocalhost\n::1 localhost ip6-localhost # v6\n\n',
	'CRLF, Windows style': '# Copyright (c) 1993-2009 Microsoft Corp.\r\n#\r\n#      127.0.0.1       localhost\r\n127.0.0.1 host.docker.internal\r\n',
	'no final newline': '127.0.0.1 localhost\n10.0.0.5 nas',
	'CRLF without a final newline': '127.0.0.1 localhost\r\n10.0.0.5 nas',
	'a UTF-8 BOM': latin1([0xef, 0xbb, 0xbf, ...Buffer.from('127.0.0.1 localhost\r\n')]),
	'only a BOM': latin1([0xef, 0xbb, 0xbf]),
	'empty': '',
	'another tool\'s block': '127.0.0.1 localhost\n# BEGIN section network\n192.168.0.2 printer\n# END section network\n',
	'mixed endings and trailing spaces': '127.0.0.1 localhost  \r\n10.0.0.1 a\n\t\r\n10.0.0.2 b\r',
	'non-UTF-8 bytes': latin1([0x31, 0x32, 0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31, 0x20, 0x68, 0xe9, 0x0a, 0x23, 0xff, 0xfe]),
};

for (const [shape, original] of Object.entries(shapes)) {
	test(`round trip leaves every other byte as it was: ${shape}`, () => {
		const added = withBlock(original, owner, entries, '\n');
		assert.ok(added.startsWith(original.replace(/\r?\n?$/, '')), 'the lines before the block are untouched');
		assert.deepEqual(findBlocks(added), [{ ...owner, entries }]);
		assert.equal(withBlock(added, owner, entries, '\n'), added, 'adding again changes nothing');
		assert.equal(withoutBlocks(added, mine), original);
		assert.equal(withoutBlocks(original, mine), original, 'removing what is not there changes nothing');
	});
}

test('the block takes the file\'s line endings; an empty file the platform\'s', () => {
	const crlf = withBlock(shapes['CRLF, Windows style'], owner, entries, '\n');
	assert.equal(crlf.split('\r\n').length - 1, crlf.split('\n').length - 1, 'every ending is CRLF');
	assert.match(withBlock('', owner, entries, '\r\n'), /^# >>> kubebridge session=a1b2 pid=4242: [^\r\n]*\r\n127\.1\.4\.17 orders\r\n/);
	assert.equal(lineEnding('a\nb\r\n', '\r\n'), '\n');
});

test('the block is marked with the session and pid, one name per line', () => {
	assert.equal(withBlock('', owner, entries.slice(0, 1), '\n'), [
		'# >>> kubebridge session=a1b2 pid=4242: cluster names, removed when the session ends',
		'127.1.4.17 orders', '127.1.4.17 orders.shop', '127.1.4.17 orders.shop.svc', '127.1.4.17 orders.shop.svc.cluster.local',
		'# <<< kubebridge session=a1b2', ''].join('\n'));
});

test('two sessions\' blocks come and go in any order and leave the file as it was', () => {
	for (const original of [shapes['no final newline'], shapes['CRLF, Windows style']]) {
		const both = withBlock(withBlock(original, owner, entries, '\n'), other, entries.slice(1), '\n');
		assert.deepEqual(findBlocks(both).map((b) => b.sessionId), ['a1b2', 'c3d4']);
		const firstGone = withoutBlocks(both, mine);
		assert.deepEqual(findBlocks(firstGone).map((b) => b.sessionId), ['c3d4']);
		assert.equal(withoutBlocks(firstGone, () => true), original);
		assert.equal(withoutBlocks(withoutBlocks(both, (b) => b.sessionId === 'c3d4'), mine), original);
	}
});

test('replacing a session\'s block keeps another session\'s block where it was', () => {
	const both = withBlock(withBlock('127.0.0.1 localhost\n', owner, entries, '\n'), other, entries.slice(1), '\n');
	const replaced = withBlock(both, owner, entries.slice(1), '\n');
	assert.deepEqual(findBlocks(replaced).map((b) => [b.sessionId, b.entries.length]), [['c3d4', 1], ['a1b2', 1]]);
});

test('lines a user added after the block survive its removal', () => {
	const added = withBlock('127.0.0.1 localhost', owner, entries, '\n') + '\n10.0.0.9 mine\n';
	assert.equal(withoutBlocks(added, mine), '127.0.0.1 localhost\n10.0.0.9 mine\n');
});

test('a begin marker without its end marker is not cut', () => {
	const broken = '127.0.0.1 localhost\n# >>> kubebridge session=zz pid=1: cluster names\n127.1.0.1 x\n';
	assert.deepEqual(findBlocks(broken), []);
	assert.equal(withoutBlocks(broken, () => true), broken);
});

test('names, addresses and session ids that could smuggle text in are refused', () => {
	const refuse = (o, e) => assert.throws(() => withBlock('', o, e, '\n'), (error) => error.data.reason === 'invalidHostsEntry');
	for (const name of ['bad_name', 'a b', 'x;rm -rf /', 'new\nline', '-lead.ing', 'trail-', 'é.example', '', 'a..b', `${'a'.repeat(64)}.x`]) {
		refuse(owner, [{ address: '127.1.0.1', names: [name] }]);
	}
	for (const address of ['10.0.0.1', '8.8.8.8', '127.0.0.01', '127.1.0', '::1', '127.255.255.255', '127.0.0.0', '127.1.0.1 evil']) {
		refuse(owner, [{ address, names: ['ok'] }]);
	}
	refuse({ sessionId: 'a b', pid: 1 }, entries);
	refuse({ sessionId: 'a\n127.0.0.1 x', pid: 1 }, entries);
	refuse({ sessionId: 'ok', pid: 0 }, entries);
});

test('property: any content round-trips byte for byte, with one block or two', () => {
	const char = fc.constantFrom('a', '1', ' ', '\t', '#', '.', '>', '<', '\r', '\n', '\xef', '\xbb', '\xbf', '\xff');
	fc.assert(fc.property(fc.string({ unit: char, maxLength: 60 }), fc.boolean(), (original, twice) => {
		let content = withBlock(original, owner, entries, '\n');
		if (twice) content = withBlock(content, other, entries.slice(1), '\r\n');
		assert.deepEqual(findBlocks(content).map((b) => b.sessionId), twice ? ['a1b2', 'c3d4'] : ['a1b2']);
		assert.equal(withoutBlocks(content, () => true), original);
		if (twice) assert.equal(withoutBlocks(withoutBlocks(content, mine), () => true), original);
	}), { numRuns: 3000 });
});
