// The mount table comes from the live pod: admission's service account mount included,
// each mount's volume type known, and what holds secrets marked so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mountsOf } from '../../../out/server/files/mount-table.js';

test('every mount of the container with its volume type; secrets, tokens and unknown volumes marked secret', () => {
	const pod = {
		apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
		spec: {
			volumes: [
				{ name: 'config', configMap: { name: 'app' } },
				{ name: 'creds', secret: { secretName: 'app' } },
				{ name: 'kube-api-access-x', projected: { sources: [{ serviceAccountToken: { path: 'token' } }, { configMap: { name: 'kube-root-ca.crt' } }] } },
				{ name: 'bundle', projected: { sources: [{ configMap: { name: 'a' } }, { downwardAPI: { items: [] } }] } },
				{ name: 'info', downwardAPI: { items: [] } },
				{ name: 'scratch', emptyDir: {} },
			],
			containers: [
				{ name: 'sidecar', volumeMounts: [{ name: 'scratch', mountPath: '/other' }] },
				{ name: 'app', volumeMounts: [
					{ name: 'scratch', mountPath: '/tmp' },
					{ name: 'config', mountPath: '/etc/config' },
					{ name: 'creds', mountPath: '/etc/creds', readOnly: true },
					{ name: 'kube-api-access-x', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
					{ name: 'bundle', mountPath: '/etc/bundle' },
					{ name: 'info', mountPath: '/etc/podinfo' },
					{ name: 'nowhere', mountPath: '/mystery' },
				] },
			],
		},
	};
	assert.deepEqual(mountsOf(pod, 'app').map((m) => [m.mountPath, m.name, m.kind, m.secret]), [
		['/etc/bundle', 'bundle', 'projected', false],
		['/etc/config', 'config', 'configMap', false],
		['/etc/creds', 'creds', 'secret', true],
		['/etc/podinfo', 'info', 'downwardAPI', false],
		['/mystery', 'nowhere', 'unknown', true],
		['/tmp', 'scratch', 'emptyDir', false],
		['/var/run/secrets/kubernetes.io/serviceaccount', 'kube-api-access-x', 'projected', true],
	]);
	assert.deepEqual(mountsOf(pod, 'absent'), []);
});

test("the agent's own script, mounted from its ConfigMap, is not one of the container's mounts", async () => {
	const { agentTemplate } = await import('../../../out/server/session/agent-template.js');
	const script = { configMap: 'kubebridge-agent-0123456789ab', sha256: '0'.repeat(64), text: '' };
	const original = { spec: { volumes: [{ name: 'config', configMap: { name: 'app' } }], containers: [{ name: 'app', volumeMounts: [{ name: 'config', mountPath: '/etc/config' }] }] } };
	const { spec } = agentTemplate(original, 'app', [8080], { runtime: { image: 'node:24-slim', script }, session: 's1', tokenHash: 'ab'.repeat(32), targetIndex: 0 });
	assert.equal(spec.containers[0].volumeMounts.length, 2);
	assert.deepEqual(mountsOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec }, 'app').map((m) => m.name), ['config']);
});
