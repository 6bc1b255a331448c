// What connect writes into a workload, and what restore reads back, without a cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentTemplate } from '../../../out/server/session/agent-template.js';
import { restoredObject, takenOverBy } from '../../../out/agent/src/contract/takeover-record.js';
import { restorerRules } from '../../../out/server/session/restorer-manifests.js';
import { planTarget } from '../../../out/server/targets/target-plan.js';

const original = {
	metadata: { labels: { app: 'api' } },
	spec: {
		serviceAccountName: 'api-sa',
		securityContext: { runAsNonRoot: true },
		volumes: [{ name: 'config', configMap: { name: 'api-config' } }],
		containers: [
			{
				name: 'api', image: 'shop/api:1', command: ['/app'], args: ['--port=8080'], workingDir: '/srv',
				ports: [{ containerPort: 8080 }, { containerPort: 47990 }],
				env: [{ name: 'GREETING', value: 'hi' }],
				volumeMounts: [{ name: 'config', mountPath: '/etc/api' }],
				readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
				startupProbe: { httpGet: { path: '/start', port: 8080 } },
				lifecycle: { preStop: { exec: { command: ['/drain'] } } },
				securityContext: { readOnlyRootFilesystem: true },
			},
			{ name: 'istio-proxy', image: 'mesh/proxy:1', ports: [{ containerPort: 15001 }] },
		],
	},
};
const settings = { runtime: { image: 'kb/agent:1', script: null }, session: 's1', tokenHash: 'ab'.repeat(32), targetIndex: 0 };

test('the agent replaces only what makes it the agent; every other container, volume, mount, env and security context stays', () => {
	const template = agentTemplate(original, 'api', [8080], settings);
	const [agent, mesh] = template.spec.containers;
	assert.deepEqual(mesh, original.spec.containers[1]);
	assert.equal(agent.image, 'kb/agent:1');
	assert.deepEqual(agent.command, ['/usr/local/bin/node', '/agent/agent.cjs']);
	for (const gone of ['args', 'startupProbe', 'lifecycle', 'workingDir']) assert.equal(agent[gone], undefined, gone);
	for (const kept of ['ports', 'volumeMounts', 'securityContext']) assert.deepEqual(agent[kept], original.spec.containers[0][kept], kept);
	assert.deepEqual(agent.env[0], { name: 'GREETING', value: 'hi' });
	const env = Object.fromEntries(agent.env.map((e) => [e.name, e.value]));
	assert.equal(env.KUBEBRIDGE_AGENT_PORTS, '8080');
	// 47990 is taken by the app's own port: the control port moves past it; the probes use the agent's port.
	assert.notEqual(env.KUBEBRIDGE_AGENT_CONTROL_PORT, '47990');
	assert.equal(agent.readinessProbe.httpGet.port, Number(env.KUBEBRIDGE_AGENT_HEALTH_PORT));
	assert.deepEqual(template.spec.volumes, original.spec.volumes);
	assert.equal(template.spec.serviceAccountName, 'api-sa');
	assert.deepEqual(template.metadata.labels, { app: 'api', 'kubebridge.io/session': 's1', 'kubebridge.io/target': '0' });
	assert.equal(original.spec.containers[0].image, 'shop/api:1', 'the original is not modified');
});

test('restore writes back exactly the saved template, only for the session that took it, and drops only its own marks', () => {
	const deployment = {
		kind: 'Deployment',
		metadata: { name: 'api', resourceVersion: '7', annotations: {
			team: 'shop', 'kubebridge.io/session': 's1', 'kubebridge.io/owner': '{}',
			'kubebridge.io/original-template': JSON.stringify(original),
		} },
		spec: { replicas: 3, template: agentTemplate(original, 'api', [8080], settings) },
	};
	assert.equal(takenOverBy(deployment), 's1');
	assert.equal(restoredObject('Deployment', deployment, 's2'), null, 'another session');
	const restored = restoredObject('Deployment', deployment, 's1');
	assert.deepEqual(restored.spec, { replicas: 3, template: original });
	assert.deepEqual(restored.metadata, { name: 'api', resourceVersion: '7', annotations: { team: 'shop' } });
});

test("the restorer's role names this session's workloads only, and pods only where restoring needs them", () => {
	const deploymentsOnly = restorerRules('s1', [{ kind: 'Deployment', name: 'api', namespace: 'shop' }]);
	assert.deepEqual(deploymentsOnly, [
		{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['kubebridge-s1'], verbs: ['get', 'delete'] },
		{ apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['api'], verbs: ['get', 'update'] },
	]);
	const withPod = restorerRules('s1', [{ kind: 'Pod', name: 'solo', namespace: 'shop' }]);
	assert.ok(withPod.some((r) => r.resources[0] === 'pods' && r.verbs.includes('create')));
});

test('planning a service: the serving container, not the mesh sidecar; ports mapped; a bad container named', () => {
	const pod = { metadata: { name: 'api-1', namespace: 'shop', labels: { app: 'api' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'api-rs', controller: true }] },
		spec: { containers: [original.spec.containers[1], { name: 'api', ports: [{ name: 'http', containerPort: 8080 }] }] }, status: { phase: 'Running' } };
	const snapshot = {
		services: [{ metadata: { name: 'api', namespace: 'shop' }, spec: { selector: { app: 'api' }, clusterIP: '10.0.0.1', ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }] } }],
		pods: [pod],
		replicaSets: [{ metadata: { name: 'api-rs', ownerReferences: [{ kind: 'Deployment', name: 'api', controller: true }] } }],
		deployments: [{ metadata: { name: 'api' }, spec: { replicas: 1, template: { spec: pod.spec } } }],
		statefulSets: [],
	};
	const plan = planTarget({ service: 'api', localPort: 3000 }, 'shop', snapshot);
	assert.equal(plan.container, 'api');
	assert.deepEqual([...plan.ports], [[8080, 3000]]);
	assert.deepEqual([...plan.servicePorts], [[8080, 80]]);
	assert.deepEqual(plan.workload, { kind: 'Deployment', name: 'api' });
	assert.throws(() => planTarget({ service: 'api', container: 'nope' }, 'shop', snapshot), (e) => e.reason === 'targetNotConnectable' && /no container 'nope'/.test(e.message));
	assert.throws(() => planTarget({ service: 'missing' }, 'shop', snapshot), (e) => e.reason === 'targetNotFound');
	assert.throws(() => planTarget({ service: 'api', workload: { kind: 'Deployment', name: 'api' } }, 'shop', snapshot), (e) => e.reason === 'targetNotConnectable');
});

test("a service's UDP ports are planned beside its TCP ones: same number locally unless mapped, a mapping without a protocol maps both", () => {
	const spec = { containers: [{ name: 'api', ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53 }, { name: 'stats', containerPort: 5353, protocol: 'UDP' }] }] };
	const pod = { metadata: { name: 'api-1', namespace: 'shop', labels: { app: 'api' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'api-rs', controller: true }] }, spec, status: { phase: 'Running' } };
	const snapshot = {
		services: [{ metadata: { name: 'api', namespace: 'shop' }, spec: { selector: { app: 'api' }, clusterIP: '10.0.0.1', ports: [
			{ port: 80, targetPort: 'http', protocol: 'TCP' }, { port: 9053, targetPort: 'dns', protocol: 'UDP' }, { port: 5353, targetPort: 'stats', protocol: 'UDP' },
		] } }],
		pods: [pod],
		replicaSets: [{ metadata: { name: 'api-rs', ownerReferences: [{ kind: 'Deployment', name: 'api', controller: true }] } }],
		deployments: [{ metadata: { name: 'api' }, spec: { replicas: 1, template: { spec } } }],
		statefulSets: [],
	};
	const plan = planTarget({ service: 'api', localPort: 3000, ports: [{ remote: 53, local: 1053 }, { remote: 5353, local: 6000, protocol: 'UDP' }] }, 'shop', snapshot);
	assert.deepEqual([...plan.ports], [[8080, 3000], [53, 1053]]);
	assert.deepEqual([...plan.udpPorts], [[53, 1053], [5353, 6000]]);
	assert.deepEqual([...plan.udpServicePorts], [[53, 9053], [5353, 5353]]);
	const udpOnly = { ...snapshot, services: [{ metadata: { name: 'stats', namespace: 'shop' }, spec: { selector: { app: 'api' }, clusterIP: '10.0.0.2', ports: [{ port: 5353, targetPort: 5353, protocol: 'UDP' }] } }] };
	const stats = planTarget({ service: 'stats' }, 'shop', udpOnly);
	assert.equal(stats.container, 'api');
	assert.deepEqual([...stats.udpPorts], [[5353, 5353], [53, 53]], "the service's port first, then the container's others");
});
