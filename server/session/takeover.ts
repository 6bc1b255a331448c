import { ANNOTATIONS, LABELS } from '../../agent/src/contract/contract.js';
import { restoredObject, takenOverBy, type OwnerRecord, type TargetRef } from '../../agent/src/contract/takeover-record.js';
import type { KubeObject, ObjectStore } from '../cluster/object-store.js';
import { replaceFresh } from '../cluster/replace-fresh.js';
import { agentTemplate, type AgentSettings, type PodTemplate } from './agent-template.js';
import { targetTakenOver } from './session-errors.js';
import { pollUntil, type PollBound } from '../platform/poll.js';
import { targetNotFound } from '../targets/target-errors.js';
import { apiVersionOf, selectorString } from '../targets/workload-pods.js';

const refOf = (ref: TargetRef) => ({ apiVersion: apiVersionOf(ref.kind), kind: ref.kind, namespace: ref.namespace, name: ref.name });

/** What the API server fills in on a pod; a pod created again must not carry it. */
function podAsCreated(pod: KubeObject): KubeObject {
	const { uid: _uid, resourceVersion: _rv, creationTimestamp: _ct, managedFields: _mf, generation: _g, deletionTimestamp: _dt, deletionGracePeriodSeconds: _dg, ...metadata } = pod.metadata;
	return { apiVersion: 'v1', kind: 'Pod', metadata: metadata as KubeObject['metadata'], spec: pod.spec };
}

function ownerText(object: KubeObject): string {
	try {
		const owner = JSON.parse(object.metadata.annotations?.[ANNOTATIONS.owner] ?? '') as OwnerRecord;
		return `${owner.user}@${owner.host}, pid ${owner.pid}, since ${owner.since}`;
	} catch {
		return `session ${takenOverBy(object)}`;
	}
}

/** Pods a template change does not replace by itself: a ReplicaSet's, or a StatefulSet's with OnDelete. */
function replacesPodsItself(workload: KubeObject): boolean {
	return workload.kind === 'Deployment' || (workload.kind === 'StatefulSet' && workload.spec.updateStrategy?.type !== 'OnDelete');
}

async function deletePodsOf(objects: ObjectStore, workload: KubeObject, extra: string): Promise<void> {
	const pods = await objects.list('v1', 'Pod', workload.metadata.namespace!, `${selectorString(workload.spec.selector.matchLabels ?? {})},${extra}`);
	await Promise.all(pods.map((p) => objects.delete({ apiVersion: 'v1', kind: 'Pod', namespace: p.metadata.namespace!, name: p.metadata.name })));
}

/** A bare pod being deleted goes within its grace period; past this the restore goes on and reports what it finds. */
const POD_GONE: PollBound = { everyMs: 250, withinMs: 60_000 };

async function waitGone(objects: ObjectStore, ref: TargetRef): Promise<void> {
	await pollUntil(async () => !(await objects.read(refOf(ref))), POD_GONE);
}

/**
 * Puts the agent in place of a container of a workload, saving the original pod template
 * (the whole pod, for a bare pod) in an annotation of the object itself, so that whoever
 * restores (the sidecar, its restorer, `kubebridge restore`) needs nothing else.
 */
export async function takeOver(objects: ObjectStore, ref: TargetRef, container: string, agentPorts: number[],
	settings: AgentSettings, owner: OwnerRecord): Promise<void> {
	const marks = (object: KubeObject, original: unknown) => ({
		...object.metadata.annotations,
		[ANNOTATIONS.originalTemplate]: JSON.stringify(original),
		[ANNOTATIONS.owner]: JSON.stringify(owner),
		[ANNOTATIONS.session]: settings.session,
	});
	const what = `${ref.kind} '${ref.name}'`;
	if (ref.kind === 'Pod') {
		const pod = await objects.read(refOf(ref));
		if (!pod) throw targetNotFound(what, ref.namespace, `kubectl get pods -n ${ref.namespace}`);
		if (takenOverBy(pod)) throw targetTakenOver(what, ownerText(pod));
		const original = podAsCreated(pod);
		const agent = agentTemplate({ metadata: original.metadata, spec: original.spec } as PodTemplate, container, agentPorts, settings);
		await objects.delete(refOf(ref), { gracePeriodSeconds: 2 });
		await waitGone(objects, ref);
		await objects.create({ ...original, metadata: { ...original.metadata, labels: agent.metadata?.labels, annotations: marks(pod, original) }, spec: agent.spec });
		return;
	}
	const written = await replaceFresh(objects, refOf(ref), (current) => {
		if (takenOverBy(current)) throw targetTakenOver(what, ownerText(current));
		const template = current.spec.template as PodTemplate;
		return {
			...current,
			metadata: { ...current.metadata, annotations: marks(current, template) },
			spec: { ...current.spec, template: agentTemplate(template, container, agentPorts, settings) },
		};
	});
	if (!written) throw targetNotFound(what, ref.namespace, `kubectl get ${ref.kind.toLowerCase()}s -n ${ref.namespace}`);
	if (!replacesPodsItself(written)) await deletePodsOf(objects, written, `!${LABELS.session}`);
}

/**
 * Writes back what `takeOver` saved, if `session` still holds the workload. Returns
 * whether there was anything to restore.
 */
export async function restore(objects: ObjectStore, ref: TargetRef, session: string): Promise<boolean> {
	if (ref.kind === 'Pod') {
		const pod = await objects.read(refOf(ref));
		const original = pod && restoredObject('Pod', pod, session);
		if (!original) return false;
		await objects.delete(refOf(ref), { gracePeriodSeconds: 0 });
		await waitGone(objects, ref);
		await objects.create(original as KubeObject);
		return true;
	}
	const written = await replaceFresh(objects, refOf(ref), (current) => restoredObject(ref.kind, current, session) as KubeObject | null);
	if (!written) return false;
	if (!replacesPodsItself(written)) await deletePodsOf(objects, written, `${LABELS.session}=${session}`);
	return true;
}
