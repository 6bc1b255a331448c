// Reading a target's environment when it has no running pod: a read's error, saying what is
// missing and what to do, never the connect's "the agent pods did not become ready".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes } from '../../../out/protocol/index.js';
import { readEnvironmentSources } from '../../../out/server/environment/container-sources.js';

const NAMESPACE = 'shop';
const template = { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'api:1', ports: [{ containerPort: 8080 }] }] } };
const deployment = (replicas) => ({
	apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: NAMESPACE },
	spec: { replicas, selector: { matchLabels: { app: 'api' } }, template },
});
const service = { metadata: { name: 'api', namespace: NAMESPACE }, spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } };

/** A namespace holding the Deployment `api` with `replicas` and no pod at all, behind the Service `api`. */
function scaledToZero() {
	return {
		context: 'test', namespace: NAMESPACE, server: null,
		readNamespaceSnapshot: async () => ({ services: [service], pods: [], replicaSets: [], deployments: [deployment(0)], statefulSets: [] }),
		objects: {
			read: async (ref) => (ref.kind === 'Deployment' ? deployment(0) : null),
			list: async () => [],
		},
	};
}

const noRunningPod = (label, hint) => (error) => {
	assert.equal(error.code, ErrorCodes.EnvironmentUnresolvable);
	assert.equal(error.data.reason, 'noRunningPod');
	assert.equal(error.data.name, label);
	assert.match(error.message, new RegExp(`^Cannot read the environment of ${label} in namespace 'shop': it has no running pod`));
	assert.doesNotMatch(error.message + error.data.hint, /agent|restored/);
	assert.match(error.data.hint, hint);
	return true;
};

test('a Deployment scaled to 0: noRunningPod, with the kubectl scale that helps', async () => {
	await assert.rejects(readEnvironmentSources(scaledToZero(), { workload: { kind: 'Deployment', name: 'api' } }),
		noRunningPod('deployment/api', /kubectl scale deployment\/api -n shop --replicas=1.*or name another target/));
});

test('a Service whose pods are all gone: noRunningPod for the service, not "cannot connect"', async () => {
	await assert.rejects(readEnvironmentSources(scaledToZero(), { service: 'api' }),
		noRunningPod('service/api', /Scale up the workload behind it.*or name another target/));
});

test('a bare Pod deleted while it is read: the target is not found', async () => {
	const cluster = scaledToZero();
	const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'solo', namespace: NAMESPACE }, spec: template.spec };
	cluster.readNamespaceSnapshot = async () => ({ services: [], pods: [pod], replicaSets: [], deployments: [], statefulSets: [] });
	await assert.rejects(readEnvironmentSources(cluster, { workload: { kind: 'Pod', name: 'solo' } }),
		(error) => error.data.reason === 'targetNotFound' && /There is no Pod 'solo' in namespace 'shop'/.test(error.message));
});
