import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject, ObjectStore } from '../cluster/object-store.js';
import { KubebridgeError } from '../errors.js';
import { leaseOwner } from './restorer-manifests.js';

/** Rounds of create, read, add-owner before giving up: each lost one means the object changed or went under us. */
const ATTEMPTS = 20;

const statusOf = (error: unknown) => (error instanceof KubebridgeError ? error.data.status : undefined);

/** What became of a shared object: the one now in the cluster, and whether this call created it. */
export interface Shared { object: KubeObject; created: boolean }

/**
 * Puts `wanted` (owned by `lease`) in the cluster, or adds `lease` as one more owner of the
 * one already there, so the garbage collector removes it only once every owner is gone.
 * The collector deletes with the version it judged as a precondition, so an owner added in
 * time keeps the object; one it already deleted is created again. `check` refuses an
 * object of that name that is not ours (throwing); `changing` is the error when it never
 * held still.
 */
export async function ensureShared(objects: ObjectStore, wanted: KubeObject, lease: KubeObject,
	check: (current: KubeObject) => void, changing: () => Error): Promise<Shared> {
	const owner = leaseOwner(lease);
	const ref = { apiVersion: wanted.apiVersion, kind: wanted.kind, namespace: wanted.metadata.namespace!, name: wanted.metadata.name };
	for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
		try {
			return { object: await objects.create(wanted), created: true };
		} catch (error) {
			if (statusOf(error) !== 409) throw error;
		}
		const current = await objects.read(ref);
		if (!current) continue;
		if (current.metadata.deletionTimestamp) {
			await sleep(250);
			continue;
		}
		check(current);
		const owners = current.metadata.ownerReferences ?? [];
		if (owners.some((o) => o.uid === owner.uid)) return { object: current, created: false };
		try {
			return { object: await objects.replace({ ...current, metadata: { ...current.metadata, ownerReferences: [...owners, owner] } }), created: false };
		} catch (error) {
			if (statusOf(error) !== 409 && statusOf(error) !== 404) throw error;
		}
	}
	throw changing();
}
