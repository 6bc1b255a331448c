import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeaderFrameParser, LineFrameParser } from '../../../out/server/rpc/frame-parser.js';

const frame = (json, extraHeaders = '') => {
	const body = Buffer.from(json, 'utf8');
	return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n${extraHeaders}\r\n`), body]);
};
const values = (events) => events.filter((e) => e.kind === 'json').map((e) => e.value);
const problems = (events) => events.filter((e) => e.kind === 'problem');

test('a message split at every byte boundary is reassembled', () => {
	const bytes = frame('{"jsonrpc":"2.0","id":1,"method":"héllo"}');
	for (let cut = 1; cut < bytes.length; cut++) {
		const parser = new HeaderFrameParser(1024);
		const events = [...parser.push(bytes.subarray(0, cut)), ...parser.push(bytes.subarray(cut))];
		assert.deepEqual(values(events), [{ jsonrpc: '2.0', id: 1, method: 'héllo' }], `cut at ${cut}`);
	}
});

test('several messages in one chunk all come out, in order', () => {
	const parser = new HeaderFrameParser(1024);
	const events = parser.push(Buffer.concat([frame('{"a":1}'), frame('{"a":2}'), frame('{"a":3}')]));
	assert.deepEqual(values(events), [{ a: 1 }, { a: 2 }, { a: 3 }]);
});

test('Content-Length counts bytes, not characters', () => {
	const parser = new HeaderFrameParser(1024);
	assert.deepEqual(values(parser.push(frame('{"text":"ünïcødé ✓"}'))), [{ text: 'ünïcødé ✓' }]);
});

test('a Content-Type header with utf-8 is accepted, another charset is skipped', () => {
	const parser = new HeaderFrameParser(1024);
	const ok = parser.push(frame('{"a":1}', 'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n'));
	assert.deepEqual(values(ok), [{ a: 1 }]);
	const bad = parser.push(Buffer.concat([frame('{"a":2}', 'Content-Type: application/json; charset=utf-16\r\n'), frame('{"a":3}')]));
	assert.equal(problems(bad)[0].reason, 'parseError');
	assert.deepEqual(values(bad), [{ a: 3 }]);
});

test('garbage before a header is skipped and the next message still parses', () => {
	const parser = new HeaderFrameParser(1024);
	const events = parser.push(Buffer.concat([Buffer.from('garbage here\r\n'), frame('{"a":1}')]));
	assert.equal(problems(events).length, 1);
	assert.deepEqual(values(events), [{ a: 1 }]);
});

test('a header block without Content-Length is reported and dropped', () => {
	const parser = new HeaderFrameParser(1024);
	const events = parser.push(Buffer.concat([Buffer.from('X-Foo: bar\r\n\r\n'), frame('{"a":1}')]));
	assert.match(problems(events)[0].message, /Malformed header block/);
	assert.deepEqual(values(events), [{ a: 1 }]);
});

test('an invalid Content-Length is reported without desynchronising the stream', () => {
	const parser = new HeaderFrameParser(1024);
	const events = parser.push(Buffer.concat([Buffer.from('Content-Length: -5\r\n\r\n'), frame('{"a":1}')]));
	assert.match(problems(events)[0].message, /Invalid Content-Length/);
	assert.deepEqual(values(events), [{ a: 1 }]);
});

test('invalid JSON and invalid UTF-8 are parse errors', () => {
	const parser = new HeaderFrameParser(1024);
	const badUtf8 = Buffer.concat([Buffer.from('Content-Length: 3\r\n\r\n'), Buffer.from([0xff, 0xfe, 0xfd])]);
	const events = parser.push(Buffer.concat([frame('{not json'), badUtf8, frame('{"a":1}')]));
	assert.deepEqual(problems(events).map((p) => p.code), [-32700, -32700]);
	assert.deepEqual(values(events), [{ a: 1 }]);
});

test('a message over the limit is skipped as it streams past, never buffered', () => {
	const parser = new HeaderFrameParser(100);
	const header = Buffer.from('Content-Length: 100000\r\n\r\n');
	let events = parser.push(header);
	assert.equal(problems(events)[0].reason, 'messageTooLarge');
	for (let i = 0; i < 100; i++) events = parser.push(Buffer.alloc(1000, 0x20));
	assert.deepEqual(events, []);
	assert.deepEqual(values(parser.push(frame('{"a":1}'))), [{ a: 1 }]);
});

test('a header that never ends is reported once it passes the header limit', () => {
	const parser = new HeaderFrameParser(1024);
	const events = parser.push(Buffer.alloc(10_000, 0x41));
	assert.equal(problems(events).length, 1);
	assert.deepEqual(values(parser.push(frame('{"a":1}'))), [{ a: 1 }]);
});

test('a header with LF-only line endings is dropped and the next message still parses', () => {
	const parser = new HeaderFrameParser(1024);
	const events = parser.push(Buffer.concat([Buffer.from('Content-Length: 7\n\n{"a":0}'), frame('{"a":1}')]));
	assert.equal(problems(events).length, 1);
	assert.deepEqual(values(events), [{ a: 1 }]);
});

test('equal duplicate Content-Lengths are fine; conflicting ones drop the block without swallowing the next message', () => {
	const parser = new HeaderFrameParser(1024);
	assert.deepEqual(values(parser.push(frame('{"a":0}', 'Content-Length: 7\r\n'))), [{ a: 0 }]);
	const events = parser.push(Buffer.concat([Buffer.from('Content-Length: 7\r\nContent-Length: 30\r\n\r\n{"a":2}'), frame('{"a":1}')]));
	assert.match(problems(events)[0].message, /Conflicting Content-Length/);
	assert.deepEqual(values(events), [{ a: 1 }]);
	// Garbage glued to the first makes it read as another header; it is still seen as garbage.
	const glued = parser.push(Buffer.concat([Buffer.from('xContent-Length: 7\r\nContent-Length: 8\r\n\r\n{"a":3}'), frame('{"a":4}')]));
	assert.deepEqual(values(glued), [{ a: 4 }]);
});

test('a header cut by a read after a long run of garbage is kept whole', () => {
	const parser = new HeaderFrameParser(1024);
	const next = frame('{"a":1}', 'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n');
	const cut = next.indexOf('charset');
	const events = [...parser.push(Buffer.concat([Buffer.alloc(10_000, 0x41), next.subarray(0, cut)])), ...parser.push(next.subarray(cut))];
	assert.deepEqual(values(events), [{ a: 1 }]);
	const split = new HeaderFrameParser(1024);
	const at = 'Content-Len'.length;
	const more = [...split.push(Buffer.concat([Buffer.alloc(10_000, 0x41), frame('{"a":2}').subarray(0, at)])), ...split.push(frame('{"a":2}').subarray(at))];
	assert.deepEqual(values(more), [{ a: 2 }]);
});

test('line framing: one message per line, blank lines and CRLF tolerated, partial lines kept', () => {
	const parser = new LineFrameParser(1024);
	const events = [...parser.push(Buffer.from('{"a":1}\r\n\n{"a"')), ...parser.push(Buffer.from(':2}\nnope\n'))];
	assert.deepEqual(values(events), [{ a: 1 }, { a: 2 }]);
	assert.equal(problems(events)[0].reason, 'parseError');
});

test('line framing: an over-long line is reported once and the next line parses', () => {
	const parser = new LineFrameParser(50);
	const events = [...parser.push(Buffer.alloc(40, 0x41)), ...parser.push(Buffer.alloc(40, 0x41)), ...parser.push(Buffer.from('\n{"a":1}\n'))];
	assert.equal(problems(events).filter((p) => p.reason === 'messageTooLarge').length, 1);
	assert.deepEqual(values(events), [{ a: 1 }]);
});
