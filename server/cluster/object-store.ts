import { KubebridgeError } from '../errors.js';
import type { JsonApi } from './json-api.js';

/** A Kubernetes object as plain JSON, the shape the session logic works on. */
export interface KubeObject {
	apiVersion: string;
	kind: string;
	metadata: {
		name: string;
		namespace?: string;
		uid?: string;
		resourceVersion?: string;
		generation?: number;
		labels?: Record<string, string>;
		annotations?: Record<string, string> | null;
		ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
		deletionTimestamp?: string;
		[key: string]: unknown;
	};
	spec?: any;
	status?: any;
	[key: string]: unknown;
}

export interface ObjectRef {
	apiVersion: string;
	kind: string;
	namespace: string;
	name: string;
}

/** Reads and writes of whole objects; every failure is a typed cluster error. */
export interface ObjectStore {
	/** Null when the object does not exist. */
	read(ref: ObjectRef): Promise<KubeObject | null>;
	create(object: KubeObject): Promise<KubeObject>;
	/** Fails with status 409 when the object changed since it was read. */
	replace(object: KubeObject): Promise<KubeObject>;
	/** Deleting what is already gone succeeds. */
	delete(ref: ObjectRef, options?: { propagationPolicy?: 'Background' | 'Foreground'; gracePeriodSeconds?: number }): Promise<void>;
	list(apiVersion: string, kind: string, namespace: string, labelSelector?: string): Promise<KubeObject[]>;
	/**
	 * Calls `onChange` whenever an object of `kind` in `namespace` (with `labelSelector`,
	 * one it selects) changes, until the returned function is called or the API server ends
	 * the watch (`onEnd`, with the HTTP status when it refused it). Absent where there is
	 * nothing to watch (a fake).
	 */
	watch?(apiVersion: string, kind: string, namespace: string, onChange: () => void, onEnd: (status: number | null) => void, labelSelector?: string): () => void;
}

/** The kinds a session touches, and where the API serves them. */
const PLURALS: Record<string, string> = {
	Pod: 'pods', ServiceAccount: 'serviceaccounts', Deployment: 'deployments', StatefulSet: 'statefulsets', ReplicaSet: 'replicasets',
	Lease: 'leases', Role: 'roles', RoleBinding: 'rolebindings', EndpointSlice: 'endpointslices',
	ConfigMap: 'configmaps', Secret: 'secrets', Service: 'services',
};

function collectionPath(apiVersion: string, kind: string, namespace: string): string {
	const plural = PLURALS[kind];
	if (!plural) throw new Error(`kubebridge does not handle objects of kind ${kind}`);
	const group = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
	return `${group}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
}

const objectPath = (ref: ObjectRef) => `${collectionPath(ref.apiVersion, ref.kind, ref.namespace)}/${encodeURIComponent(ref.name)}`;
const describe = (kind: string, namespace: string, name = '') => `${kind.toLowerCase()} ${namespace}/${name}`;
const refOf = (object: KubeObject): ObjectRef => ({ apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace ?? '', name: object.metadata.name });

const notFound = (error: unknown) => error instanceof KubebridgeError && error.reason === 'resourceNotFound';

/** `ObjectStore` over the API server's JSON. */
export class JsonObjectStore implements ObjectStore {
	constructor(private readonly api: JsonApi) {}

	async read(ref: ObjectRef): Promise<KubeObject | null> {
		try {
			return await this.api.call<KubeObject>('GET', objectPath(ref), `read ${describe(ref.kind, ref.namespace, ref.name)}`);
		} catch (error) {
			if (notFound(error)) return null;
			throw error;
		}
	}

	create(object: KubeObject): Promise<KubeObject> {
		const ref = refOf(object);
		return this.api.call('POST', `${collectionPath(ref.apiVersion, ref.kind, ref.namespace)}?fieldManager=kubebridge`,
			`create ${describe(ref.kind, ref.namespace, ref.name)}`, object);
	}

	replace(object: KubeObject): Promise<KubeObject> {
		const ref = refOf(object);
		return this.api.call('PUT', `${objectPath(ref)}?fieldManager=kubebridge`, `update ${describe(ref.kind, ref.namespace, ref.name)}`, object);
	}

	async delete(ref: ObjectRef, options: { propagationPolicy?: 'Background' | 'Foreground'; gracePeriodSeconds?: number } = {}): Promise<void> {
		try {
			await this.api.call('DELETE', objectPath(ref), `delete ${describe(ref.kind, ref.namespace, ref.name)}`, { kind: 'DeleteOptions', apiVersion: 'v1', ...options });
		} catch (error) {
			if (!notFound(error)) throw error;
		}
	}

	async list(apiVersion: string, kind: string, namespace: string, labelSelector?: string): Promise<KubeObject[]> {
		const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
		const list = await this.api.call<{ items: KubeObject[] }>('GET', `${collectionPath(apiVersion, kind, namespace)}${query}`,
			`list ${kind.toLowerCase()}s in ${namespace}`);
		// A list's items carry neither apiVersion nor kind.
		return list.items.map((item) => ({ ...item, apiVersion, kind }));
	}

	watch(apiVersion: string, kind: string, namespace: string, onChange: () => void, onEnd: (status: number | null) => void, labelSelector?: string): () => void {
		const selector = labelSelector ? `&labelSelector=${encodeURIComponent(labelSelector)}` : '';
		// Only that something changed matters: the caller reads what it needs again.
		return this.api.stream(`${collectionPath(apiVersion, kind, namespace)}?allowWatchBookmarks=false${selector}`, onChange, onEnd);
	}
}
