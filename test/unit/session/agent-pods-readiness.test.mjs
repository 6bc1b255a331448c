// How the sidecar arms the agents' mirrored readiness: not before connect asks it to, then
// every serving agent, an agent that comes later, and an agent whose link came back (it
// disarmed when the link dropped). An armed agent that goes unready keeps its link. The
// real agent program runs on this machine; the pod listing is a stand-in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { AgentPods } from '../../../out/server/session/agent-pods.js';
import { Logger } from '../../../out/server/log/logger.js';
import { startFakePortForward } from '../../helpers/fake-portforward.mjs';
import { freePort, startLocalAgent } from '../../helpers/local-agent.mjs';
import { waitUntil } from '../../helpers/wait-until.mjs';

let forward, agent, appPort, pods;
/** What the stand-in pod listing returns. */
let listed = [];
const events = [];

const readyz = () => new Promise((resolve) => {
	get({ host: '127.0.0.1', port: agent.healthPort, path: '/readyz', agent: false }, (res) => { res.resume(); resolve(res.statusCode); })
		.on('error', (e) => resolve(e.code));
});

function agentPod(ready) {
	return {
		metadata: { name: 'api-0', namespace: 'ns', labels: { 'kubebridge.io/session': 's1', 'kubebridge.io/target': '0' } },
		spec: {
			containers: [{
				name: 'api',
				env: [{ name: 'KUBEBRIDGE_AGENT_CONTROL_PORT', value: String(agent.controlPort) }, { name: 'KUBEBRIDGE_AGENT_READINESS', value: '{}' }],
			}],
		},
		status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
	};
}

before(async () => {
	forward = await startFakePortForward();
	appPort = await freePort();
	// Nothing listens on the local port: armed, the agent is not ready.
	const localPort = await freePort();
	agent = await startLocalAgent([appPort], {
		KUBEBRIDGE_AGENT_READINESS: JSON.stringify({ port: appPort, path: '/ready', scheme: 'HTTP', headers: [], timeoutSeconds: 1 }),
	});
	const cluster = { endpoint: forward.endpoint, objects: { list: async () => listed } };
	const plan = { label: 'service/api', namespace: 'ns', container: 'api', ports: new Map([[appPort, localPort]]) };
	const logs = { follow: () => undefined, letGo: () => undefined };
	pods = new AgentPods(cluster, 's1', agent.token, [plan], (event) => events.push(event), new Logger(null), logs, null);
});

after(async () => {
	pods.stop();
	await agent.stop();
	await forward.close();
});

test('an agent that serves after arming is armed too; unready then, it keeps its link', async () => {
	await pods.start();
	await pods.armReadiness();
	listed = [agentPod(true)];
	await waitUntil(async () => (await readyz()) === 503, 10_000);
	listed = [agentPod(false)];
	await new Promise((resolve) => setTimeout(resolve, 2500));
	assert.deepEqual(pods.statuses().map((s) => [s.pod, s.state]), [['api-0', 'serving']]);
	assert.equal(events.filter((e) => e.change === 'agentRemoved').length, 0);
});

test('a dropped link disarms the agent and the link coming back arms it again', async () => {
	forward.dropAll();
	await waitUntil(() => /readiness is the agent's own again/.test(agent.output()), 10_000);
	await waitUntil(async () => (await readyz()) === 503, 10_000);
	assert.equal(agent.output().match(/readiness follows the local program/g).length, 2);
});

test('a pod being deleted loses its link, mirrored or not', async () => {
	listed = [{ ...agentPod(false), metadata: { ...agentPod(false).metadata, deletionTimestamp: new Date().toISOString() } }];
	await waitUntil(() => pods.statuses().length === 0, 10_000);
	assert.equal(events.filter((e) => e.change === 'agentRemoved').length, 1);
});
