// `kubebridge restore` on shared Services: the routes of sessions whose process is gone
// go, a live session's stay, and the last one out writes the selector back. The object
// store is an in-memory stand-in that refuses a write made on a stale version, as the
// API server does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readRouting, withRoute } from '../../../../out/agent/src/contract/routing-record.js';
import { removeDeadRoutes } from '../../../../out/server/session/routing/route-leftovers.js';
import { KubebridgeError } from '../../../../out/server/errors.js';

const logger = { info() {}, debug() {}, warning() {}, error() {} };

function store(objects) {
	const byName = new Map(objects.map((o) => [o.metadata.name, { ...o, metadata: { ...o.metadata, resourceVersion: '1' } }]));
	return {
		byName,
		async list() { return [...byName.values()]; },
		async read(ref) { return structuredClone(byName.get(ref.name) ?? null); },
		async replace(object) {
			const current = byName.get(object.metadata.name);
			if (current.metadata.resourceVersion !== object.metadata.resourceVersion) throw new KubebridgeError(-33105, { reason: 'clusterRequestFailed', status: 409 }, 'conflict');
			const written = { ...object, metadata: { ...object.metadata, resourceVersion: String(Number(current.metadata.resourceVersion) + 1) } };
			byName.set(object.metadata.name, written);
			return structuredClone(written);
		},
	};
}

const service = (name) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec: { selector: { app: name } } });
const route = (session, value) => ({ session, mode: 'route', header: 'x-dev', value, pod: '10.0.0.1', holder: session });

test('the dead sessions\' routes go, a live one stays; a Service with only dead routes gets its selector back', async () => {
	const api = withRoute(withRoute(service('api'), route('dead1', 'a'), 'r', 'api'), route('live', 'b'), 'r', 'api');
	const web = withRoute(withRoute(service('web'), route('dead1', 'a'), 'r', 'web'), route('dead2', 'b'), 'r', 'web');
	const objects = store([api, web, service('plain')]);
	const result = await removeDeadRoutes(objects, 'shop', async (session) => session.startsWith('dead'), logger);
	assert.deepEqual(result.restored, ['Service/shop/web']);
	assert.deepEqual(result.sessions.sort(), ['dead1', 'dead2']);
	assert.deepEqual(readRouting(objects.byName.get('api')).routes.map((r) => r.session), ['live']);
	assert.deepEqual(objects.byName.get('web').spec.selector, { app: 'web' });
	assert.equal(readRouting(objects.byName.get('web')), null);
});
