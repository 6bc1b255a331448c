import { ANNOTATIONS } from './contract.js';

/** The kinds kubebridge takes over; the restorer and the sidecar restore them alike. */
export type TakeoverKind = 'Deployment' | 'StatefulSet' | 'ReplicaSet' | 'Pod';

export interface TargetRef {
	kind: TakeoverKind;
	name: string;
	namespace: string;
}

/** Who took a workload over, saved beside the original so others can tell. */
export interface OwnerRecord {
	session: string;
	user: string;
	host: string;
	pid: number;
	since: string;
}

interface KubeObject {
	metadata?: { name?: string; annotations?: Record<string, string> | null; labels?: Record<string, string> | null; [k: string]: unknown };
	spec?: { template?: unknown; [k: string]: unknown };
	[k: string]: unknown;
}

/** Whether a lease's holder stopped renewing it for longer than its duration. */
export function leaseLapsed(lease: { spec?: { renewTime?: string; leaseDurationSeconds?: number } }, now: number): boolean {
	const renewed = Date.parse(lease.spec?.renewTime ?? '');
	return Number.isNaN(renewed) || now > renewed + (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
}

export function apiPath(ref: TargetRef): string {
	const group = ref.kind === 'Pod' ? `/api/v1` : `/apis/apps/v1`;
	const plural = { Deployment: 'deployments', StatefulSet: 'statefulsets', ReplicaSet: 'replicasets', Pod: 'pods' }[ref.kind];
	return `${group}/namespaces/${ref.namespace}/${plural}/${ref.name}`;
}

/** The session a workload is taken over by, if any. */
export function takenOverBy(object: KubeObject): string | null {
	return object.metadata?.annotations?.[ANNOTATIONS.session] ?? null;
}

function withoutOurMarks(metadata: NonNullable<KubeObject['metadata']>): NonNullable<KubeObject['metadata']> {
	const annotations = { ...(metadata.annotations ?? {}) };
	for (const key of Object.values(ANNOTATIONS)) delete annotations[key];
	return { ...metadata, annotations: Object.keys(annotations).length > 0 ? annotations : null };
}

/**
 * The object as it was before `session` took it over, ready to be written back: a
 * controller with its original pod template (the annotation holds the template), or for a
 * bare pod the original pod to create again (the annotation holds the whole pod). Null when the object is not taken over by that session (restored already, or
 * someone else's).
 */
export function restoredObject(kind: TakeoverKind, object: KubeObject, session: string): KubeObject | null {
	if (takenOverBy(object) !== session) return null;
	const saved = object.metadata?.annotations?.[ANNOTATIONS.originalTemplate];
	if (!saved) return null;
	const original = JSON.parse(saved) as KubeObject;
	if (kind === 'Pod') return original;
	return { ...object, metadata: withoutOurMarks(object.metadata ?? {}), spec: { ...object.spec, template: original } };
}
