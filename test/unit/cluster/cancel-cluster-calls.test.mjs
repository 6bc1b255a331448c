// A cancelled cluster/services must drop the API calls under it, not leave them to run to
// their deadline: an API server that takes requests and never answers sees every one of
// its connections closed after the cancel, with the deadline far away (10 minutes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { startInProcess } from '../../helpers/in-process.mjs';
import { writeKubeconfig } from '../../helpers/kubeconfig.mjs';

/** An API server that never answers; `requests` resolves once `count` requests are in. */
async function silentApiServer(t, count) {
	const held = [];
	let arrived;
	const requests = new Promise((resolve) => { arrived = resolve; });
	const server = createServer((request) => {
		held.push(once(request.socket, 'close'));
		if (held.length === count) arrived();
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	t.after(() => { server.closeAllConnections(); server.close(); });
	return { url: `http://127.0.0.1:${server.address().port}`, requests, closed: () => Promise.all(held) };
}

test('cancelling cluster/services aborts its API calls; the server keeps serving', async (t) => {
	// A namespace snapshot reads services, pods, replica sets, deployments and stateful sets at once.
	const api = await silentApiServer(t, 5);
	const kubeconfig = writeKubeconfig([{ name: 'silent', server: api.url, namespace: 'shop' }]);
	const { client } = startInProcess({ cluster: { kubeconfig, requestTimeoutMs: 600_000 } });
	await client.initialize();
	const pending = client.request('cluster/services', {});
	await api.requests;
	client.notify('$/cancelRequest', { id: 2 });
	const response = await pending;
	assert.equal(response.error?.data?.reason, 'requestCancelled', JSON.stringify(response));
	await api.closed();
	const contexts = await client.request('cluster/contexts', {});
	assert.equal(contexts.result.contexts[0].name, 'silent');
});
