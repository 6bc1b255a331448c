// The mounted files' refresh reads from an agent pod every two seconds: over one forward
// kept open between reads, not a port-forward (an API call) each time; a forward that
// dropped is opened again by the next read, and the session's end closes it. The real
// agent program runs on this machine, behind a stand-in for the API server's port-forward.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AgentFileSource } from '../../../out/server/files/agent-file-source.js';
import { startFakePortForward } from '../../helpers/fake-portforward.mjs';
import { freePort, startLocalAgent } from '../../helpers/local-agent.mjs';
import { waitUntil } from '../../helpers/wait-until.mjs';

let forward, agent, address;

before(async () => {
	forward = await startFakePortForward();
	agent = await startLocalAgent([await freePort()]);
	address = { namespace: 'ns', pod: 'api-0', controlPort: agent.controlPort, token: agent.token };
});

after(async () => {
	await agent.stop();
	await forward.close();
});

test('listings in a row share one forward; one that dropped is opened again; stopping closes it', async () => {
	const stopping = new AbortController();
	const source = new AgentFileSource(forward.endpoint, () => address, stopping.signal);
	const before = forward.opened();
	for (let i = 0; i < 3; i++) assert.equal((await source.list(['/no-such-mount'])).pod, 'api-0');
	assert.equal(forward.opened() - before, 1, 'three listings, one port-forward');
	forward.dropAll();
	await waitUntil(() => forward.open() === 0);
	assert.equal((await source.list(['/no-such-mount'])).pod, 'api-0');
	assert.equal(forward.opened() - before, 2);
	stopping.abort();
	await waitUntil(() => forward.open() === 0);
});
