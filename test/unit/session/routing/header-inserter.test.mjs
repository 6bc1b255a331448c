// The header a routed session's local program carries on its outbound HTTP/1.x requests:
// added to each request of a keep-alive connection, bodies of every framing left intact,
// whatever way the bytes are cut; anything that is not HTTP/1 passes untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeaderInserter } from '../../../../out/server/session/routing/header-inserter.js';

/** The inserter's output for `input` fed in pieces of `size` bytes. */
async function through(input, size) {
	const inserter = new HeaderInserter('X-Dev', 'alice');
	const out = [];
	inserter.on('data', (d) => out.push(d));
	const bytes = Buffer.from(input, 'latin1');
	for (let i = 0; i < bytes.length; i += size) inserter.write(bytes.subarray(i, i + size));
	inserter.end();
	await new Promise((resolve) => inserter.on('end', resolve));
	return Buffer.concat(out).toString('latin1');
}

const requests = [
	'GET /a HTTP/1.1\r\nHost: web\r\n\r\n',
	'POST /b HTTP/1.1\r\nHost: web\r\nContent-Length: 11\r\n\r\nGET /x HTTP',
	'PUT /c HTTP/1.1\r\nHost: web\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nGET /\r\n3;ext=1\r\n\r\n\r\n0\r\nTrailer: t\r\n\r\n',
	'GET /d HTTP/1.1\r\nHost: web\r\nx-dev: bob\r\n\r\n',
];
const expected = [
	'GET /a HTTP/1.1\r\nHost: web\r\nX-Dev: alice\r\n\r\n',
	'POST /b HTTP/1.1\r\nHost: web\r\nContent-Length: 11\r\nX-Dev: alice\r\n\r\nGET /x HTTP',
	'PUT /c HTTP/1.1\r\nHost: web\r\nTransfer-Encoding: chunked\r\nX-Dev: alice\r\n\r\n5\r\nGET /\r\n3;ext=1\r\n\r\n\r\n0\r\nTrailer: t\r\n\r\n',
	'GET /d HTTP/1.1\r\nHost: web\r\nx-dev: bob\r\n\r\n',
];

test('each request of a keep-alive connection gets the header once; bodies that look like requests are left alone', async () => {
	for (const size of [1, 3, 7, 1000]) assert.equal(await through(requests.join(''), size), expected.join(''), `pieces of ${size}`);
});

test('HTTP/2, TLS and other protocols pass untouched, and so does an upgraded connection after its request', async () => {
	const h2 = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nx-dev-less frames';
	assert.equal(await through(h2, 5), h2);
	assert.equal(await through('\x16\x03\x01\x00\x05hello', 2), '\x16\x03\x01\x00\x05hello');
	const ws = 'GET /ws HTTP/1.1\r\nHost: web\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nGET / HTTP/1.1\r\n\r\n';
	assert.equal(await through(ws, 4), 'GET /ws HTTP/1.1\r\nHost: web\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Dev: alice\r\n\r\nGET / HTTP/1.1\r\n\r\n');
});
