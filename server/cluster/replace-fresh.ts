import { KubebridgeError } from '../errors.js';
import type { KubeObject, ObjectRef, ObjectStore } from './object-store.js';

/**
 * Writes the object `change` makes of the current one, read again after each conflict: a
 * controller or another session may update it between read and write. Null when the
 * object is gone or `change` has nothing to write.
 */
export async function replaceFresh(objects: ObjectStore, ref: ObjectRef, change: (current: KubeObject) => KubeObject | null,
	attempts = 5): Promise<KubeObject | null> {
	for (let attempt = 0; ; attempt++) {
		const current = await objects.read(ref);
		if (!current) return null;
		const next = change(current);
		if (!next) return null;
		try {
			return await objects.replace(next);
		} catch (error) {
			if (!(error instanceof KubebridgeError && error.data.status === 409) || attempt >= attempts) throw error;
		}
	}
}
