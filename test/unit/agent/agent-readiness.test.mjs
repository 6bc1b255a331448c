// The agent's readiness with `features.probes`: its own until the sidecar arms it, then
// the replaced container's probe answered by the local program through a tunnel, and its
// own again when the sidecar's link drops. The real agent program runs on this machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, get } from 'node:http';
import { webSocketForwarder } from '../../../out/server/cluster/pod-streams.js';
import { AgentLink } from '../../../out/server/tunnel/agent-link.js';
import { AgentRefused, postToAgent } from '../../../out/server/tunnel/agent-exchange.js';
import { Logger } from '../../../out/server/log/logger.js';
import { startFakePortForward } from '../../helpers/fake-portforward.mjs';
import { freePort, startLocalAgent } from '../../helpers/local-agent.mjs';
import { waitUntil } from '../../helpers/wait-until.mjs';

let forward, agent, address, appPort, localPort;
/** What the local program answers on the probe's path; null: nothing listens. */
let local = null;
const seen = [];

const probe = (path) => new Promise((resolve) => {
	get({ host: '127.0.0.1', port: agent.healthPort, path, agent: false }, (res) => { res.resume(); resolve(res.statusCode); })
		.on('error', (e) => resolve(e.code));
});

function linkTo() {
	const link = new AgentLink(forward.endpoint, webSocketForwarder(forward.endpoint), address, new Map([[appPort, localPort]]),
		{ stateChanged: () => undefined, localRefused: () => undefined, localAccepted: () => undefined }, new Logger(null));
	link.start();
	return link;
}

async function startLocalProgram(status) {
	const server = createServer((req, res) => {
		seen.push({ path: req.url, probeHeader: req.headers['x-probe'], agent: req.headers['user-agent'] });
		res.writeHead(status).end();
	});
	await new Promise((resolve) => server.listen(localPort, '127.0.0.1', resolve));
	return { close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}

before(async () => {
	forward = await startFakePortForward();
	appPort = await freePort();
	localPort = await freePort();
	agent = await startLocalAgent([appPort], {
		KUBEBRIDGE_AGENT_READINESS: JSON.stringify({ port: appPort, path: '/ready?deep=1', scheme: 'HTTP', headers: [{ name: 'X-Probe', value: 'kb' }], timeoutSeconds: 1 }),
	});
	address = { namespace: 'ns', pod: 'agent-0', controlPort: agent.controlPort, token: agent.token };
});

after(async () => {
	await local?.close();
	await agent.stop();
	await forward.close();
});

test('unarmed, readiness is the agent\'s own even though nothing listens locally; liveness always is', async () => {
	assert.equal(await probe('/readyz'), 200);
	assert.equal(await probe('/healthz'), 200);
});

test('arming needs a linked sidecar and its token', async () => {
	await assert.rejects(postToAgent(forward.endpoint, address, '/v1/readiness/arm'), (e) => e instanceof AgentRefused && e.status === 409);
	await assert.rejects(postToAgent(forward.endpoint, { ...address, token: 'wrong' }, '/v1/readiness/arm'), (e) => e instanceof AgentRefused && e.status === 401);
	assert.equal(await probe('/readyz'), 200);
});

test('armed, readiness follows the local program: nothing listening or an error is 503, a 2xx or 3xx is 200; the link dropping disarms', async () => {
	const link = linkTo();
	await waitUntil(() => link.stats().state === 'serving' && link.stats().idleTunnels > 0);
	assert.deepEqual(JSON.parse(await postToAgent(forward.endpoint, address, '/v1/readiness/arm')), { mirrors: true, armed: true });
	assert.equal(await probe('/readyz'), 503, 'nothing listens locally');
	assert.equal(await probe('/healthz'), 200, 'liveness stays the agent\'s own');

	local = await startLocalProgram(204);
	await waitUntil(async () => (await probe('/readyz')) === 200);
	assert.deepEqual(seen.at(-1), { path: '/ready?deep=1', probeHeader: 'kb', agent: 'kube-probe/kubebridge' });
	await local.close();

	local = await startLocalProgram(302);
	assert.equal(await probe('/readyz'), 200, 'a redirect counts as ready, as for the kubelet');
	await local.close();
	local = await startLocalProgram(500);
	assert.equal(await probe('/readyz'), 503);
	await local.close();
	local = null;
	assert.equal(await probe('/readyz'), 503);

	link.stop();
	await waitUntil(async () => (await probe('/readyz')) === 200);
	assert.match(agent.output(), /readiness is the agent's own again/);
});

test('a program that does not answer within the probe\'s timeout is not ready', async () => {
	const link = linkTo();
	await waitUntil(() => link.stats().state === 'serving');
	await postToAgent(forward.endpoint, address, '/v1/readiness/arm');
	const hanging = createServer(() => undefined);
	await new Promise((resolve) => hanging.listen(localPort, '127.0.0.1', resolve));
	const started = Date.now();
	assert.equal(await probe('/readyz'), 503);
	const took = Date.now() - started;
	// Not ready before the probe's 1 s timeout ran out: it waited for the program, as the kubelet would.
	assert.ok(took >= 900, `failed after ${took} ms, the probe's timeout being 1 s`);
	link.stop();
	hanging.closeAllConnections();
	await new Promise((resolve) => hanging.close(resolve));
});
