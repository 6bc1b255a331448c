// The restorer's dial endpoint, driven by the sidecar's own tunnel code over a plain TCP
// connection standing for the port-forward: disconnect dials the restored service from
// it once the agents are gone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenForDials } from '../../../out/agent/src/dial-server.js';
import { AgentRefused, tunnelOver } from '../../../out/server/tunnel/agent-exchange.js';
import { freePort } from '../../helpers/local-agent.mjs';
import { waitUntil } from '../../helpers/wait-until.mjs';

const token = randomBytes(24).toString('hex');
const controlPort = await freePort();
const dials = await listenForDials({
	KUBEBRIDGE_AGENT_TOKEN_SHA256: createHash('sha256').update(token).digest('hex'), KUBEBRIDGE_AGENT_CONTROL_PORT: String(controlPort),
});
const accepted = [];
const original = createServer((socket) => { accepted.push(socket); socket.on('error', () => undefined); });
await new Promise((resolve) => original.listen(0, '127.0.0.1', resolve));

after(() => {
	dials.closeAllConnections();
	dials.close();
	for (const socket of accepted) socket.destroy();
	original.close();
});

const forward = () => new Promise((resolve, reject) => {
	const socket = connect(controlPort, '127.0.0.1', () => resolve(socket));
	socket.once('error', reject);
});
const address = (presented = token) => ({ namespace: 'ns', pod: 'kubebridge-restorer-s1', controlPort, token: presented });
const dialPath = (port) => `/v1/dial?host=127.0.0.1&port=${port}`;

test('with the session token, a dial connects inside the cluster and answers 101', async () => {
	const tunnel = await tunnelOver(await forward(), address(), dialPath(original.address().port));
	tunnel.socket.destroy();
	await waitUntil(() => accepted.length === 1);
});

test('a sidecar that resets its dials before they connect leaves the server serving, and nothing dialled left open', async () => {
	const before = accepted.length;
	for (let i = 0; i < 20; i++) {
		const socket = await forward();
		socket.on('error', () => undefined);
		socket.write(`GET ${dialPath(original.address().port)} HTTP/1.1\r\nHost: agent\r\nConnection: Upgrade\r\nUpgrade: kubebridge-tunnel\r\nAuthorization: Bearer ${token}\r\n\r\n`);
		setImmediate(() => socket.resetAndDestroy());
	}
	await sleep(300);
	await waitUntil(() => accepted.slice(before).every((s) => s.destroyed || s.readableEnded));
	const tunnel = await tunnelOver(await forward(), address(), dialPath(original.address().port));
	tunnel.socket.destroy();
});

test('a dial whose host refuses is answered 502, as the agents answer it', async () => {
	const closed = await freePort();
	await assert.rejects(tunnelOver(await forward(), address(), dialPath(closed)), (error) => error instanceof AgentRefused && error.status === 502);
});

test('without the session token nothing is dialled', async () => {
	const before = accepted.length;
	await assert.rejects(tunnelOver(await forward(), address('not-the-token'), dialPath(original.address().port)),
		(error) => error instanceof AgentRefused && error.status === 401);
	assert.equal(accepted.length, before);
});

test('the restorer serves nothing but dials: the agents\' other tunnels are not there', async () => {
	await assert.rejects(tunnelOver(await forward(), address(), '/v1/accept'), (error) => error instanceof AgentRefused && error.status === 404);
});

test('a restorer started by a sidecar that gave no token hash listens nowhere', async () => {
	assert.equal(await listenForDials({}), null);
});
