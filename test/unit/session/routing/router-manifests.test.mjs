// The router runs the agent's program as the restorer does (the session's image, the
// delivered script mounted read-only, restricted), serving the Service's ports beside a
// health port none of them uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routerDeployment } from '../../../../out/server/session/routing/router-manifests.js';
import { restorerManifests } from '../../../../out/server/session/restorer-manifests.js';
import { describeScript } from '../../../../out/server/session/agent-script.js';
import { DEFAULT_HEALTH_PORT } from '../../../../out/agent/src/contract/contract.js';

const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'kubebridge-s1', namespace: 'shop', uid: 'lease-uid-1' } };
const spec = { namespace: 'shop', service: 'api', selector: { app: 'api' }, ports: [{ containerPort: DEFAULT_HEALTH_PORT, name: 'http', targetPort: 'http' }] };
const restorerPod = (runtime) => restorerManifests('s1', 'shop', runtime, [{ kind: 'Deployment', name: 'api', namespace: 'shop' }], lease, 'a'.repeat(64)).find((o) => o.kind === 'Pod');

for (const [what, runtime] of [['a delivered script', { image: 'node:24-slim', script: describeScript('console.log("agent")\n') }], ['a full agent image', { image: 'registry.example/kubebridge-agent:1', script: null }]]) {
	test(`on ${what}, the router's pod runs like the restorer's, as 'route'`, () => {
		const pod = routerDeployment(spec, runtime, lease).spec.template.spec;
		const restorer = restorerPod(runtime);
		const [router] = pod.containers;
		const [theirs] = restorer.spec.containers;
		assert.deepEqual(pod.securityContext, restorer.spec.securityContext);
		assert.deepEqual(pod.volumes, restorer.spec.volumes);
		for (const key of ['image', 'imagePullPolicy', 'volumeMounts', 'securityContext']) assert.deepEqual(router[key], theirs[key], key);
		assert.deepEqual(router.command, [...theirs.command.slice(0, -1), 'route']);
		assert.equal(router.securityContext.readOnlyRootFilesystem, true);
	});
}

test('the router\'s health port is one the routed ports leave free', () => {
	const [router] = routerDeployment(spec, { image: 'node:24-slim', script: null }, lease).spec.template.spec.containers;
	const health = router.readinessProbe.httpGet.port;
	assert.notEqual(health, DEFAULT_HEALTH_PORT);
	assert.deepEqual(router.ports, [{ containerPort: DEFAULT_HEALTH_PORT, name: 'http', protocol: 'TCP' }]);
	assert.ok(router.env.some((e) => e.name.endsWith('HEALTH_PORT') && e.value === String(health)));
});
