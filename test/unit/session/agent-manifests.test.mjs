// What connect writes into the cluster to run the agent on a stock Node image: the script's
// ConfigMap (content-named, immutable, owned by each session's lease), the agent container
// and the restorer pod that mount it, and the choice of image among the places naming one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { agentTemplate, AGENT_USER } from '../../../out/server/session/agent-template.js';
import { chooseAgentRuntime, DEFAULT_AGENT_BASE_IMAGE } from '../../../out/server/session/agent-runtime.js';
import { agentScript, describeScript } from '../../../out/server/session/agent-script.js';
import { isAgentScriptConfigMap } from '../../../out/agent/src/contract/contract.js';
import { agentScriptManifest } from '../../../out/server/session/agent-script-delivery.js';
import { restorerManifests } from '../../../out/server/session/restorer-manifests.js';
import { restoredObject } from '../../../out/agent/src/contract/takeover-record.js';
import { hopeless } from '../../../out/server/targets/workload-pods.js';

const script = describeScript('console.log("agent")\n');
const onNode = { image: 'node:24-slim', script };
const settings = (runtime) => ({ runtime, session: 's1', tokenHash: 'ab'.repeat(32), targetIndex: 0 });
const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'kubebridge-s1', namespace: 'shop', uid: 'lease-uid-1' } };

/** A restricted-style workload: the pod says non-root, the container names no user. */
const original = {
	metadata: { labels: { app: 'api' } },
	spec: {
		securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
		volumes: [{ name: 'config', configMap: { name: 'api-config' } }],
		containers: [{
			name: 'api', image: 'shop/api:1', ports: [{ containerPort: 8080 }],
			volumeMounts: [{ name: 'config', mountPath: '/etc/api' }],
			securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
		}],
	},
};

test("the script's ConfigMap is named by its content, immutable, and owned by the session's lease", () => {
	assert.match(script.configMap, /^kubebridge-agent-[0-9a-f]{12}$/);
	assert.equal(script.configMap, `kubebridge-agent-${script.sha256.slice(0, 12)}`);
	assert.notEqual(describeScript('another build').configMap, script.configMap);
	assert.ok(isAgentScriptConfigMap(script.configMap));
	assert.ok(!isAgentScriptConfigMap('kubebridge-agent-config'));
	assert.deepEqual(agentScriptManifest(script, 'shop', lease), {
		apiVersion: 'v1', kind: 'ConfigMap',
		metadata: {
			name: script.configMap, namespace: 'shop', labels: { 'kubebridge.io/role': 'agent-script' },
			ownerReferences: [{ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: 'kubebridge-s1', uid: 'lease-uid-1', blockOwnerDeletion: false }],
		},
		immutable: true,
		data: { 'agent.cjs': script.text },
	});
});

test('compiled code delivers the script the build bundled from agent/src', () => {
	const bundled = readFileSync(new URL('../../../out/agent/agent.cjs', import.meta.url), 'utf8');
	assert.equal(agentScript().text, bundled);
	assert.match(bundled, /restorer watching/, 'the restorer is in the same script');
});

test('on a stock Node image the agent runs the mounted script, read-only, as a non-root user; the rest of the container stays', () => {
	const template = agentTemplate(original, 'api', [8080], settings(onNode));
	const [agent] = template.spec.containers;
	assert.equal(agent.image, 'node:24-slim');
	assert.deepEqual(agent.command, ['/usr/local/bin/node', '/kubebridge-agent/agent.cjs']);
	assert.deepEqual(template.spec.volumes, [...original.spec.volumes, { name: 'kubebridge-agent', configMap: { name: script.configMap } }]);
	assert.deepEqual(agent.volumeMounts, [...original.spec.containers[0].volumeMounts, { name: 'kubebridge-agent', mountPath: '/kubebridge-agent', readOnly: true }]);
	assert.deepEqual(agent.securityContext, { ...original.spec.containers[0].securityContext, runAsUser: AGENT_USER, runAsGroup: AGENT_USER });
	assert.equal(AGENT_USER, 65532);
	assert.deepEqual(template.spec.securityContext, original.spec.securityContext, "the pod's security context stays");
	assert.equal(original.spec.volumes.length, 1, 'the original is not modified');
});

test('a user the pod or the container names stays; only the missing group is added with a missing user', () => {
	const podUser = structuredClone(original);
	podUser.spec.securityContext.runAsUser = 1000;
	assert.deepEqual(agentTemplate(podUser, 'api', [8080], settings(onNode)).spec.containers[0].securityContext, original.spec.containers[0].securityContext);
	const containerUser = structuredClone(original);
	containerUser.spec.containers[0].securityContext.runAsUser = 0;
	assert.equal(agentTemplate(containerUser, 'api', [8080], settings(onNode)).spec.containers[0].securityContext.runAsUser, 0);
	const groupOnly = structuredClone(original);
	groupOnly.spec.securityContext.runAsGroup = 3000;
	const context = agentTemplate(groupOnly, 'api', [8080], settings(onNode)).spec.containers[0].securityContext;
	assert.equal(context.runAsUser, AGENT_USER);
	assert.equal(context.runAsGroup, undefined, "the pod's group applies");
	const bare = structuredClone(original);
	delete bare.spec.securityContext;
	delete bare.spec.containers[0].securityContext;
	assert.deepEqual(agentTemplate(bare, 'api', [8080], settings(onNode)).spec.containers[0].securityContext, { runAsUser: AGENT_USER, runAsGroup: AGENT_USER });
});

test("the script's volume and mount take names and paths the workload does not use", () => {
	const crowded = structuredClone(original);
	crowded.spec.volumes.push({ name: 'kubebridge-agent', emptyDir: {} });
	crowded.spec.containers[0].volumeMounts.push({ name: 'kubebridge-agent', mountPath: '/kubebridge-agent' }, { name: 'config', mountPath: '/kubebridge-agent-1/nested' });
	const template = agentTemplate(crowded, 'api', [8080], settings(onNode));
	const [agent] = template.spec.containers;
	assert.deepEqual(template.spec.volumes.at(-1), { name: 'kubebridge-agent-1', configMap: { name: script.configMap } });
	assert.deepEqual(agent.volumeMounts.at(-1), { name: 'kubebridge-agent-1', mountPath: '/kubebridge-agent-2', readOnly: true });
	assert.deepEqual(agent.command, ['/usr/local/bin/node', '/kubebridge-agent-2/agent.cjs']);
	assert.equal(new Set(template.spec.volumes.map((v) => v.name)).size, template.spec.volumes.length);
});

test('a full agent image runs its own script: no volume, no mount, no user added', () => {
	const template = agentTemplate(original, 'api', [8080], settings({ image: 'registry.example/kubebridge-agent:1', script: null }));
	const [agent] = template.spec.containers;
	assert.deepEqual(agent.command, ['/usr/local/bin/node', '/agent/agent.cjs']);
	assert.deepEqual(template.spec.volumes, original.spec.volumes);
	assert.deepEqual(agent.volumeMounts, original.spec.containers[0].volumeMounts);
	assert.deepEqual(agent.securityContext, original.spec.containers[0].securityContext);
});

test('restore writes back the template without a trace of the script volume', () => {
	const deployment = {
		kind: 'Deployment',
		metadata: { name: 'api', annotations: { 'kubebridge.io/session': 's1', 'kubebridge.io/original-template': JSON.stringify(original) } },
		spec: { replicas: 2, template: agentTemplate(original, 'api', [8080], settings(onNode)) },
	};
	assert.deepEqual(restoredObject('Deployment', deployment, 's1').spec, { replicas: 2, template: original });
});

test('the restorer runs the same script on the same image, restricted, owned by the lease', () => {
	const targets = [{ kind: 'Deployment', name: 'api', namespace: 'shop' }];
	const objects = restorerManifests('s1', 'shop', onNode, targets, lease, 'a'.repeat(64));
	assert.ok(objects.every((o) => o.metadata.ownerReferences[0].uid === 'lease-uid-1'));
	const pod = objects.find((o) => o.kind === 'Pod');
	const [container] = pod.spec.containers;
	assert.equal(container.image, 'node:24-slim');
	assert.deepEqual(container.command, ['/usr/local/bin/node', '/kubebridge-agent/agent.cjs', 'restore']);
	assert.deepEqual(pod.spec.volumes, [{ name: 'kubebridge-agent', configMap: { name: script.configMap } }]);
	assert.deepEqual(container.volumeMounts, [{ name: 'kubebridge-agent', mountPath: '/kubebridge-agent', readOnly: true }]);
	assert.equal(container.securityContext.runAsUser, AGENT_USER);
	assert.equal(container.securityContext.readOnlyRootFilesystem, true);
	const own = restorerManifests('s1', 'shop', { image: 'registry.example/kubebridge-agent:1', script: null }, targets, lease, 'a'.repeat(64)).find((o) => o.kind === 'Pod');
	assert.equal(own.spec.volumes, undefined);
	assert.equal(own.spec.containers[0].volumeMounts, undefined);
	assert.deepEqual(own.spec.containers[0].command, ['/usr/local/bin/node', '/agent/agent.cjs', 'restore']);
});

test('the first place naming an image decides: request, flag, env var, kubebridge.yaml; a full image wins within one', () => {
	const fake = () => script;
	assert.deepEqual(chooseAgentRuntime([], fake), { image: DEFAULT_AGENT_BASE_IMAGE, script });
	assert.equal(DEFAULT_AGENT_BASE_IMAGE, 'node:24-slim');
	assert.deepEqual(chooseAgentRuntime([undefined, {}, { baseImage: 'mirror.local/node:24-slim' }, { image: 'x/agent:1' }], fake),
		{ image: 'mirror.local/node:24-slim', script });
	assert.deepEqual(chooseAgentRuntime([{ image: 'x/agent:1', baseImage: 'mirror.local/node:24-slim' }], fake), { image: 'x/agent:1', script: null });
	assert.deepEqual(chooseAgentRuntime([{ baseImage: 'request/node:24' }, { image: 'flag/agent:1' }], fake), { image: 'request/node:24', script });
});

test('a pod that cannot pull its image is hopeless, and says which image and what the node answered', () => {
	const pod = (reason, message) => ({
		metadata: { name: 'api-1' },
		status: { containerStatuses: [{ name: 'api', image: 'mirror.invalid/node:24-slim', state: { waiting: { reason, message } } }] },
	});
	assert.equal(hopeless(pod('ErrImagePull', 'failed to resolve reference: lookup mirror.invalid: no such host')),
		"pod api-1 cannot pull image 'mirror.invalid/node:24-slim' for container api: ErrImagePull (failed to resolve reference: lookup mirror.invalid: no such host)");
	assert.match(hopeless(pod('ImagePullBackOff', 'Back-off pulling image')), /cannot pull image 'mirror\.invalid\/node:24-slim'/);
	assert.equal(hopeless(pod('ContainerCreating')), null);
});
