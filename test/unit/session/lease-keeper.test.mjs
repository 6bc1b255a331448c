// Renewing the session's lease: one write a renewal, from the lease as the last write
// left it; a read only after a conflict, and a lease that is gone is said, not retried as
// a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaseKeeper } from '../../../out/server/session/lease-keeper.js';
import { KubebridgeError } from '../../../out/server/errors.js';
import { Logger } from '../../../out/server/log/logger.js';

/** Leases in memory with resource versions, as the API server keeps them; `calls` is what was asked. */
function leaseStore() {
	const objects = new Map();
	const calls = [];
	let version = 0;
	const key = (ref) => `${ref.namespace}/${ref.name}`;
	const stored = (object) => { const copy = structuredClone({ ...object, metadata: { ...object.metadata, resourceVersion: String(++version) } }); objects.set(key(copy.metadata), copy); return structuredClone(copy); };
	return {
		calls, objects,
		async create(object) { calls.push('create'); return stored(object); },
		async read(ref) { calls.push('read'); const found = objects.get(key(ref)); return found ? structuredClone(found) : null; },
		async replace(object) {
			calls.push('replace');
			const current = objects.get(key(object.metadata));
			if (!current) throw new KubebridgeError(-33105, { reason: 'clusterRequestFailed', status: 404 }, 'not found');
			if (current.metadata.resourceVersion !== object.metadata.resourceVersion) throw new KubebridgeError(-33105, { reason: 'clusterRequestFailed', status: 409 }, 'conflict');
			return stored(object);
		},
		async delete(ref) { calls.push('delete'); objects.delete(key(ref)); },
		async list() { return []; },
	};
}

const lines = (logger) => { const seen = []; logger.attach((entry) => seen.push(entry)); return seen; };

test('each renewal is one write of the lease as the last write left it, with a later renewTime', async () => {
	const store = leaseStore();
	const keeper = new LeaseKeeper(store, 's1', 'me', new Logger(null));
	const created = await keeper.create('shop');
	await new Promise((resolve) => setTimeout(resolve, 5));
	await keeper.renewAll();
	await keeper.renewAll();
	assert.deepEqual(store.calls, ['create', 'replace', 'replace']);
	const now = store.objects.get('shop/kubebridge-s1');
	assert.ok(now.spec.renewTime > created.spec.renewTime, `${now.spec.renewTime} after ${created.spec.renewTime}`);
	assert.equal(now.spec.holderIdentity, 'me');
});

test('a lease written by someone else meanwhile is read again and renewed', async () => {
	const store = leaseStore();
	const keeper = new LeaseKeeper(store, 's1', 'me', new Logger(null));
	await keeper.create('shop');
	const theirs = store.objects.get('shop/kubebridge-s1');
	store.objects.set('shop/kubebridge-s1', { ...theirs, metadata: { ...theirs.metadata, resourceVersion: '99' } });
	await keeper.renewAll();
	assert.deepEqual(store.calls, ['create', 'replace', 'read', 'replace']);
	await keeper.renewAll();
	assert.deepEqual(store.calls.slice(4), ['replace'], 'and from then on one write again');
});

test('a lease that is gone is said as such, renewal after renewal', async () => {
	const store = leaseStore();
	const logger = new Logger(null);
	const seen = lines(logger);
	const keeper = new LeaseKeeper(store, 's1', 'me', logger);
	await keeper.create('shop');
	store.objects.clear();
	await keeper.renewAll();
	await keeper.renewAll();
	assert.equal(seen.filter((e) => e.level === 'error' && /lease in shop is gone/.test(e.message)).length, 2, JSON.stringify(seen));
});
