// A pod log stream whose request was still on its way when the session closed its logs is
// dropped as it arrives: nothing of the session keeps a connection to the API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PodLogs } from '../../../out/server/session/pod-logs.js';
import { Logger } from '../../../out/server/log/logger.js';

test('closing while a log request is on its way drops the stream when it comes', async (t) => {
	const folder = mkdtempSync(join(tmpdir(), 'kb-pod-logs-'));
	let arrived;
	const requested = new Promise((resolve) => { arrived = resolve; });
	const server = createServer((request, response) => arrived({ request, response }));
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	t.after(() => { server.closeAllConnections(); server.close(); rmSync(folder, { recursive: true, force: true }); });
	const endpoint = { server: `http://127.0.0.1:${server.address().port}`, options: async () => ({}) };
	const logs = new PodLogs(endpoint, folder, new Logger(join(folder, 'test.log')));
	logs.follow('shop', 'api-1', 'api');
	const { request, response } = await requested;
	logs.close();
	response.writeHead(200, { 'content-type': 'text/plain' });
	response.write('2026-11-23T00:00:00Z started\n');
	await once(request.socket, 'close');
});
