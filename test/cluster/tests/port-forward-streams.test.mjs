// The SPDY port-forward session (server/cluster/port-forward-session.ts) against the real
// API server and kubelet: one WebSocket to a pod, many forwarded connections as stream
// pairs, the kubelet's refusal of a closed port, and the end of a connection the pod
// closed. It runs as a developer bound to the Role of docs/rbac.md.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { KubeConfig } from '@kubernetes/client-node';
import { issueKubeconfig, kubectl } from '../../helpers/cluster.mjs';
import { clusterTestSpace } from '../../helpers/test-space.mjs';
import { DEVELOPER_RULES } from '../../helpers/developer-role.mjs';
import { DEMO_IMAGE, RESTRICTED_CONTAINER, apply, createNamespace } from '../../helpers/workload-fixtures.mjs';
import { cachedHttpsOptions } from '../../../out/server/cluster/https-options.js';
import { apiEndpoint } from '../../../out/server/cluster/api-endpoint.js';
import { ForwardFailed, PortForwardSession } from '../../../out/server/cluster/port-forward-session.js';

const space = clusterTestSpace('kb-pfstreams');
let endpoint;
const target = () => ({ namespace: space.ns, pod: 'echo' });

before(() => {
	createNamespace(space.ns);
	apply([{
		apiVersion: 'v1', kind: 'Pod', metadata: { name: 'echo', namespace: space.ns },
		spec: {
			containers: [{ name: 'echo', image: DEMO_IMAGE, imagePullPolicy: 'Never', args: ['--name=echo', '--http=8080', '--echo=9000'], securityContext: RESTRICTED_CONTAINER }],
		},
	}]);
	kubectl(['wait', '--for=condition=Ready', 'pod/echo', '-n', space.ns, '--timeout=120s']);
	const { kubeconfig } = issueKubeconfig({ user: `dev-${space.ns}`, namespace: space.ns, rules: DEVELOPER_RULES });
	const config = new KubeConfig();
	config.loadFromFile(kubeconfig);
	endpoint = apiEndpoint(config, cachedHttpsOptions(config));
});

async function echoed(stream, bytes) {
	const sent = Buffer.alloc(bytes);
	for (let i = 0; i < bytes; i++) sent[i] = (i * 7) % 256;
	const received = [];
	let length = 0;
	stream.on('data', (chunk) => { received.push(chunk); length += chunk.length; });
	stream.write(sent);
	while (length < bytes) await once(stream, 'data');
	return Buffer.concat(received).equals(sent);
}

test('one SPDY session to a pod carries eight connections at once, every byte echoed', async () => {
	const session = await PortForwardSession.open(endpoint, target());
	const forwards = await Promise.all(Array.from({ length: 8 }, () => session.forward(9000)));
	assert.deepEqual(await Promise.all(forwards.map((forward) => echoed(forward, 1024 * 1024))), Array(8).fill(true));
	session.close();
});

test("a port nothing listens on fails its forward with the kubelet's words; the session goes on", async () => {
	const session = await PortForwardSession.open(endpoint, target());
	const error = await session.forward(9001).then(async (forward) => (await once(forward, 'error'))[0], (rejected) => rejected);
	assert.ok(error instanceof ForwardFailed, String(error));
	assert.match(error.message, /9001/);
	assert.ok(await echoed(await session.forward(9000), 64 * 1024));
	session.close();
});

test('a connection the pod closes ends here, after all it sent', async () => {
	const session = await PortForwardSession.open(endpoint, target());
	const forward = await session.forward(8080);
	let text = '';
	forward.setEncoding('utf8').on('data', (piece) => { text += piece; });
	forward.write('GET /healthz HTTP/1.1\r\nHost: echo\r\nConnection: close\r\n\r\n');
	await once(forward, 'end');
	assert.match(text, /^HTTP\/1\.1 200/);
	session.close();
});
