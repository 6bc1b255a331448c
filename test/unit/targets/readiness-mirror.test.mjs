// Which readiness probes `features.probes` can hand to the agent, and how the agent's pod
// template then probes it: without a cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentTemplate } from '../../../out/server/session/agent-template.js';
import { readinessPlan } from '../../../out/server/targets/readiness-mirror.js';

const settings = { runtime: { image: 'kb/agent:1', script: null }, session: 's1', tokenHash: 'ab'.repeat(32), targetIndex: 0 };
const container = (readinessProbe) => ({
	name: 'api', image: 'shop/api:1', ports: [{ name: 'http', containerPort: 8080 }, { name: 'admin', containerPort: 9090 }],
	...(readinessProbe ? { readinessProbe } : {}),
	livenessProbe: { httpGet: { path: '/live', port: 'http' } },
});
const template = (c) => ({ metadata: { labels: { app: 'api' } }, spec: { containers: [c] } });
const envOf = (agent) => Object.fromEntries(agent.env.map((e) => [e.name, e.value]));

test('an httpGet probe on a named port is mirrored with its path, scheme, headers and timing', () => {
	const plan = readinessPlan(container({
		httpGet: { path: '/ready', port: 'http', scheme: 'HTTPS', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] },
		periodSeconds: 2, failureThreshold: 4, successThreshold: 2, timeoutSeconds: 3, initialDelaySeconds: 30,
	}), [8080, 9090]);
	assert.deepEqual(plan, {
		mirror: {
			probe: { port: 8080, path: '/ready', scheme: 'HTTPS', headers: [{ name: 'X-Probe', value: 'yes' }], timeoutSeconds: 3 },
			periodSeconds: 2, failureThreshold: 4, successThreshold: 2,
		},
	});
});

test("the kubelet's defaults fill in what the probe leaves out; a port may be a number or a numeric string", () => {
	const expected = { probe: { port: 9090, path: '/', scheme: 'HTTP', headers: [], timeoutSeconds: 1 }, periodSeconds: 10, failureThreshold: 3, successThreshold: 1 };
	assert.deepEqual(readinessPlan(container({ httpGet: { port: 9090 } }), [8080, 9090]), { mirror: expected });
	assert.deepEqual(readinessPlan(container({ httpGet: { port: '9090' } }), [8080, 9090]), { mirror: expected });
});

test('no probe, exec, grpc and tcpSocket probes, other hosts and ports the agent does not serve are not mirrored, with the reason', () => {
	const reason = (probe, ports = [8080, 9090]) => readinessPlan(container(probe), ports).reason;
	assert.match(reason(undefined), /no readinessProbe/);
	assert.match(reason({ exec: { command: ['/ready'] } }), /exec probe: only httpGet/);
	assert.match(reason({ grpc: { port: 8080 } }), /grpc probe/);
	assert.match(reason({ tcpSocket: { port: 'http' } }), /tcpSocket probe: the agent accepts connections itself/);
	assert.match(reason({ httpGet: { path: '/', port: 8080, host: 'example.com' } }), /asks host example.com/);
	assert.match(reason({ httpGet: { path: '/', port: 'metrics' } }), /names port 'metrics'/);
	assert.match(reason({ httpGet: { path: '/', port: 9090 } }, [8080]), /port 9090 is not one the agent serves/);
});

test("with a mirrored probe the pod's readiness asks the agent's /readyz with the original timing; liveness stays /healthz", () => {
	const original = template(container({ httpGet: { path: '/ready', port: 'http' }, periodSeconds: 2, failureThreshold: 4, timeoutSeconds: 3 }));
	const { mirror } = readinessPlan(original.spec.containers[0], [8080, 9090]);
	const [agent] = agentTemplate(original, 'api', [8080, 9090], { ...settings, readiness: mirror }).spec.containers;
	const env = envOf(agent);
	const health = Number(env.KUBEBRIDGE_AGENT_HEALTH_PORT);
	assert.deepEqual(JSON.parse(env.KUBEBRIDGE_AGENT_READINESS), mirror.probe);
	assert.deepEqual(agent.readinessProbe, {
		httpGet: { path: '/readyz', port: health, scheme: 'HTTP' }, periodSeconds: 2, failureThreshold: 4, timeoutSeconds: 4, successThreshold: 1,
	});
	assert.deepEqual(agent.livenessProbe.httpGet, { path: '/healthz', port: health, scheme: 'HTTP' });
	assert.equal(agent.startupProbe, undefined);
});

test('without a mirrored probe (features.probes off, or nothing to mirror) the agent answers both probes on /healthz, as always', () => {
	for (const readiness of [undefined, null]) {
		const [agent] = agentTemplate(template(container({ httpGet: { path: '/ready', port: 'http' } })), 'api', [8080], { ...settings, readiness }).spec.containers;
		assert.equal(envOf(agent).KUBEBRIDGE_AGENT_READINESS, undefined);
		assert.equal(agent.readinessProbe.httpGet.path, '/healthz');
		assert.equal(agent.readinessProbe.periodSeconds, 1);
		assert.equal(agent.livenessProbe.httpGet.path, '/healthz');
	}
});
