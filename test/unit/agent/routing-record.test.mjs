// The routes of a shared Service as its annotation holds them: the first route saves the
// selector and points the Service at the router; each session takes only its own away; the
// last one leaves the Service exactly as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readRouting, sameClaim, withRoute, withoutRoutes } from '../../../out/agent/src/contract/routing-record.js';
import { parseRouteHeader } from '../../../out/server/cli/targets.js';
import { targetsWithConfig } from '../../../out/server/config/config-targets.js';

const original = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', annotations: { team: 'shop' } }, spec: { selector: { app: 'api' }, ports: [{ port: 80 }] } };
const entry = (session, value) => ({ session, mode: 'route', header: 'x-dev', value, pod: `10.0.0.${session.length}`, holder: `${session}@host` });

test('two sessions share a service; each takes only its own route away; the last writes the Service back exactly', () => {
	const one = withRoute(original, entry('a', 'alice'), 'kubebridge-router-api', 'api');
	assert.deepEqual(one.spec.selector, { 'kubebridge.io/router': 'api' });
	assert.deepEqual(readRouting(one).selector, { app: 'api' });
	const two = withRoute(one, entry('bb', 'bob'), 'kubebridge-router-api', 'api');
	assert.deepEqual(readRouting(two).routes.map((r) => r.value), ['alice', 'bob']);
	assert.deepEqual(readRouting(two).selector, { app: 'api' }, 'the second route keeps the saved selector');
	const withoutA = withoutRoutes(two, 'a');
	assert.equal(withoutA.last, false);
	assert.deepEqual(readRouting(withoutA.service).routes.map((r) => r.session), ['bb']);
	assert.equal(withoutRoutes(withoutA.service, 'a'), null, 'a session with no route there changes nothing');
	const last = withoutRoutes(withoutA.service, 'bb');
	assert.equal(last.last, true);
	assert.deepEqual(last.service, original);
});

test('a route with the same header value is the same claim; mirrors never clash', () => {
	assert.ok(sameClaim(entry('a', 'alice'), entry('b', 'alice')));
	assert.ok(!sameClaim(entry('a', 'alice'), entry('b', 'bob')));
	assert.ok(!sameClaim({ mode: 'mirror' }, { mode: 'mirror' }));
});

test('--route-header NAME=VALUE, and kubebridge.yaml\'s route and mode fill a target that names none', () => {
	assert.deepEqual(parseRouteHeader('x-dev=alice'), { header: 'x-dev', value: 'alice' });
	assert.throws(() => parseRouteHeader('x-dev'), /NAME=VALUE/);
	const configured = [{ service: 'api', route: { header: 'x-dev', value: 'alice' }, mode: 'mirror' }];
	assert.deepEqual(targetsWithConfig([{ service: 'api' }], configured), [{ service: 'api', route: { header: 'x-dev', value: 'alice' }, mode: 'mirror' }]);
	assert.deepEqual(targetsWithConfig([{ service: 'api', route: { header: 'x-dev', value: 'bob' } }], configured)[0].route.value, 'bob');
});
