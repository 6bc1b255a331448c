// Delivering the agent's script into a namespace that other sessions share: a ConfigMap
// created once, each later session added as one more owner, and one the garbage collector
// removed under a new session created again. The object store is a stand-in that holds
// objects as the API server does (409 on a name taken or a stale write, 404 on one gone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubebridgeError } from '../../../out/server/errors.js';
import { deliverAgentScript } from '../../../out/server/session/agent-script-delivery.js';
import { describeScript } from '../../../out/server/session/agent-script.js';

const script = describeScript('console.log("agent")\n');
const leaseOf = (session) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: `kubebridge-${session}`, namespace: 'shop', uid: `uid-${session}` } });
const apiError = (status) => new KubebridgeError(-33105, { reason: status === 404 ? 'resourceNotFound' : 'clusterRequestFailed', status }, `HTTP ${status}`);

/** Holds ConfigMaps by name; `before` hooks let a test step in between the calls, as the collector would. */
function store(hooks = {}) {
	const objects = new Map();
	let version = 0;
	const calls = [];
	const stored = (object) => {
		const copy = structuredClone({ ...object, metadata: { ...object.metadata, resourceVersion: String(++version), uid: object.metadata.uid ?? 'cm-uid' } });
		objects.set(object.metadata.name, copy);
		return structuredClone(copy);
	};
	const api = {
		objects, calls,
		async read(ref) {
			calls.push('read');
			await hooks.read?.(api);
			const object = objects.get(ref.name);
			return object ? structuredClone(object) : null;
		},
		async create(object) {
			calls.push('create');
			await hooks.create?.(api);
			if (objects.has(object.metadata.name)) throw apiError(409);
			return stored(object);
		},
		async replace(object) {
			calls.push('replace');
			await hooks.replace?.(api);
			const current = objects.get(object.metadata.name);
			if (!current) throw apiError(404);
			if (current.metadata.resourceVersion !== object.metadata.resourceVersion) throw apiError(409);
			return stored(object);
		},
	};
	return api;
}

const owners = (api) => api.objects.get(script.configMap).metadata.ownerReferences.map((o) => o.uid);

test('the first session creates the ConfigMap; the next ones add their lease as one more owner', async () => {
	const api = store();
	await deliverAgentScript(api, script, 'shop', leaseOf('a'));
	assert.deepEqual(api.calls, ['create']);
	await deliverAgentScript(api, script, 'shop', leaseOf('b'));
	await deliverAgentScript(api, script, 'shop', leaseOf('c'));
	assert.deepEqual(owners(api), ['uid-a', 'uid-b', 'uid-c']);
	assert.equal(api.objects.get(script.configMap).data['agent.cjs'], script.text);
	api.calls.length = 0;
	await deliverAgentScript(api, script, 'shop', leaseOf('b'));
	assert.deepEqual(api.calls, ['create', 'read'], 'an owner already listed is not written again');
});

test('the collector removed it between the failed create and the read: it is created again', async () => {
	let struck = false;
	const api = store({ read: (s) => { if (!struck) { struck = true; s.objects.clear(); } } });
	await deliverAgentScript(store(), script, 'shop', leaseOf('a'));
	api.objects.set(script.configMap, { metadata: { name: script.configMap, resourceVersion: '1', ownerReferences: [{ uid: 'uid-gone' }] }, data: { 'agent.cjs': script.text } });
	await deliverAgentScript(api, script, 'shop', leaseOf('b'));
	assert.deepEqual(api.calls, ['create', 'read', 'create']);
	assert.deepEqual(owners(api), ['uid-b']);
});

test('the collector removed it between the read and the owner being added: it is created again', async () => {
	let struck = false;
	const api = store({ replace: (s) => { if (!struck) { struck = true; s.objects.clear(); } } });
	api.objects.set(script.configMap, { metadata: { name: script.configMap, resourceVersion: '1', ownerReferences: [{ uid: 'uid-gone' }] }, data: { 'agent.cjs': script.text } });
	await deliverAgentScript(api, script, 'shop', leaseOf('b'));
	assert.deepEqual(api.calls, ['create', 'read', 'replace', 'create']);
	assert.deepEqual(owners(api), ['uid-b']);
});

test('another session added itself between the read and the write: the owner is added to the fresh object', async () => {
	let raced = false;
	const api = store({
		replace: (s) => {
			if (raced) return;
			raced = true;
			const current = s.objects.get(script.configMap);
			current.metadata.ownerReferences.push({ uid: 'uid-other' });
			current.metadata.resourceVersion = '99';
		},
	});
	api.objects.set(script.configMap, { metadata: { name: script.configMap, resourceVersion: '1', ownerReferences: [{ uid: 'uid-a' }] }, data: { 'agent.cjs': script.text } });
	await deliverAgentScript(api, script, 'shop', leaseOf('b'));
	assert.deepEqual(owners(api), ['uid-a', 'uid-other', 'uid-b']);
});

test('one being deleted is waited for, then created again', async () => {
	let reads = 0;
	const api = store({ read: (s) => { if (++reads === 2) s.objects.clear(); } });
	api.objects.set(script.configMap, { metadata: { name: script.configMap, resourceVersion: '1', deletionTimestamp: '2026-12-02T00:00:00Z', ownerReferences: [] }, data: { 'agent.cjs': script.text } });
	await deliverAgentScript(api, script, 'shop', leaseOf('b'));
	assert.deepEqual(owners(api), ['uid-b']);
	assert.equal(api.objects.get(script.configMap).metadata.deletionTimestamp, undefined);
});

test('a ConfigMap of that name with other content is reported, not used', async () => {
	const api = store();
	api.objects.set(script.configMap, { metadata: { name: script.configMap, resourceVersion: '1', ownerReferences: [] }, data: { 'agent.cjs': 'something else' } });
	await assert.rejects(deliverAgentScript(api, script, 'shop', leaseOf('b')),
		(e) => e.reason === 'agentNotReady' && e.message.includes(`ConfigMap shop/${script.configMap}`));
	assert.ok(!api.calls.includes('replace'));
});

test('a refusal of the API server (forbidden) is passed on as it came', async () => {
	const api = store({ create: () => { throw new KubebridgeError(-33102, { reason: 'forbidden', status: 403 }, 'forbidden'); } });
	await assert.rejects(deliverAgentScript(api, script, 'shop', leaseOf('a')), (e) => e.reason === 'forbidden');
});
