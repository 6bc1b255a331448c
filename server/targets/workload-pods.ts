import { LABELS } from '../../agent/src/contract/contract.js';
import type { TargetRef } from '../../agent/src/contract/takeover-record.js';
import type { KubeObject, ObjectStore } from '../cluster/object-store.js';

export const apiVersionOf = (kind: TargetRef['kind']): string => (kind === 'Pod' ? 'v1' : 'apps/v1');

export const isReady = (pod: KubeObject): boolean =>
	!pod.metadata.deletionTimestamp && (pod.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');

/** The image cannot be had: the node could not pull it, or may not. */
const PULL_FAILED = new Set(['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName']);

/** Reasons a container will not start by waiting longer. */
const HOPELESS = new Set([...PULL_FAILED, 'CreateContainerConfigError', 'CreateContainerError', 'CrashLoopBackOff', 'RunContainerError']);

/** Why a pod will never become ready, if its containers say so; a pull failure names the image and the node's error. */
export function hopeless(pod: KubeObject): string | null {
	for (const status of pod.status?.containerStatuses ?? []) {
		const waiting = status.state?.waiting;
		if (!waiting || !HOPELESS.has(waiting.reason)) continue;
		const why = `${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`;
		if (PULL_FAILED.has(waiting.reason)) return `pod ${pod.metadata.name} cannot pull image '${status.image}' for container ${status.name}: ${why}`;
		return `pod ${pod.metadata.name}, container ${status.name}: ${why}`;
	}
	const unschedulable = (pod.status?.conditions ?? []).find((c: { type: string; reason?: string }) => c.type === 'PodScheduled' && c.reason === 'Unschedulable');
	return unschedulable ? `pod ${pod.metadata.name} cannot be scheduled: ${unschedulable.message ?? ''}` : null;
}

export function selectorString(matchLabels: Record<string, string>): string {
	return Object.entries(matchLabels).map(([k, v]) => `${k}=${v}`).join(',');
}

export interface WorkloadPods {
	/** Replicas the workload wants now (an autoscaler may change it). */
	desired: number;
	/** Pods that are the session's agents. */
	agents: KubeObject[];
	/** Pods that are not (the originals). */
	others: KubeObject[];
}

/** The live pods of a workload, split into the session's agents and the rest. */
export async function readWorkloadPods(objects: ObjectStore, ref: TargetRef, session: string): Promise<WorkloadPods | null> {
	const isAgent = (pod: KubeObject) => pod.metadata.labels?.[LABELS.session] === session;
	if (ref.kind === 'Pod') {
		const pod = await objects.read({ apiVersion: 'v1', kind: 'Pod', namespace: ref.namespace, name: ref.name });
		const pods = pod && !pod.metadata.deletionTimestamp ? [pod] : [];
		return { desired: 1, agents: pods.filter(isAgent), others: pods.filter((p) => !isAgent(p)) };
	}
	const workload = await objects.read({ apiVersion: 'apps/v1', kind: ref.kind, namespace: ref.namespace, name: ref.name });
	if (!workload) return null;
	const pods = (await objects.list('v1', 'Pod', ref.namespace, selectorString(workload.spec.selector.matchLabels ?? {})))
		.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
	return { desired: workload.spec.replicas ?? 1, agents: pods.filter(isAgent), others: pods.filter((p) => !isAgent(p)) };
}

/** A pod an EndpointSlice of a service lists, ready or not (a terminating pod is listed unready). */
export interface ServiceEndpoint { name: string; uid: string; ready: boolean }

/** Every pod endpoint of a service's EndpointSlices. */
export async function serviceEndpoints(objects: ObjectStore, namespace: string, service: string): Promise<ServiceEndpoint[]> {
	const slices = await objects.list('discovery.k8s.io/v1', 'EndpointSlice', namespace, `kubernetes.io/service-name=${service}`);
	type Endpoint = { conditions?: { ready?: boolean }; targetRef?: { name?: string; uid?: string } };
	return slices.flatMap((slice) => ((slice.endpoints ?? []) as Endpoint[]).map((e) => ({
		name: e.targetRef?.name ?? '', uid: e.targetRef?.uid ?? '', ready: e.conditions?.ready !== false,
	})));
}

/** The pods a service routes to now: the ready endpoints of its EndpointSlices. */
export async function serviceEndpointPods(objects: ObjectStore, namespace: string, service: string): Promise<Set<string>> {
	return new Set((await serviceEndpoints(objects, namespace, service)).filter((e) => e.ready).map((e) => e.name));
}
