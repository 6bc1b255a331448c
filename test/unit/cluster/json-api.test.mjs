// The API calls' own HTTP: a body goes with its length, whatever the method. Node frames no
// body of a DELETE by itself, and an API server then reads the DeleteOptions as the next
// request on the kept-alive connection: it answers that with a 400 and closes, so the
// options are lost and a call that follows on the connection can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { JsonApi } from '../../../out/server/cluster/json-api.js';
import { Logger } from '../../../out/server/log/logger.js';

test('a DELETE carries its DeleteOptions as a body the server reads, and the next call on the connection is answered', async (t) => {
	const seen = [];
	const malformed = [];
	const server = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => { body += chunk; });
		req.on('end', () => {
			seen.push({ method: req.method, url: req.url, body });
			res.writeHead(200, { 'content-type': 'application/json' }).end('{"kind":"Status"}');
		});
	});
	server.on('clientError', (error, socket) => { malformed.push(error.code); socket.destroy(); });
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	t.after(() => { server.closeAllConnections(); server.close(); });
	const api = new JsonApi({ server: `http://127.0.0.1:${server.address().port}`, context: 'local' }, new Logger(null), 5000, async () => ({}));

	await api.call('DELETE', '/apis/coordination.k8s.io/v1/namespaces/shop/leases/l', 'delete the lease', { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
	await api.call('GET', '/api/v1/namespaces/shop/pods', 'list pods');
	assert.deepEqual(malformed, []);
	assert.deepEqual(seen.map((s) => s.method), ['DELETE', 'GET']);
	assert.deepEqual(JSON.parse(seen[0].body), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
	assert.equal(seen[1].body, '');
});
