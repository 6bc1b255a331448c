import { LABELS } from '../../agent/src/contract/contract.js';
import type { KubeObject, ObjectStore } from '../cluster/object-store.js';
import { AGENT_SCRIPT_KEY, type AgentScript } from './agent-script.js';
import { leaseOwner } from './restorer-manifests.js';
import { agentNotReady } from './session-errors.js';
import { ensureShared } from './shared-object.js';

/**
 * The ConfigMap that carries the agent's script into a namespace: immutable (the kubelet
 * need not watch it, nobody can change what the agents run) and owned by the session's
 * lease, so the garbage collector removes it with the lease.
 */
export function agentScriptManifest(script: AgentScript, namespace: string, lease: KubeObject): KubeObject {
	return {
		apiVersion: 'v1', kind: 'ConfigMap',
		metadata: { name: script.configMap, namespace, labels: { [LABELS.role]: 'agent-script' }, ownerReferences: [leaseOwner(lease)] },
		immutable: true,
		data: { [AGENT_SCRIPT_KEY]: script.text },
	};
}

/**
 * Puts the script's ConfigMap in the namespace for the session of `lease`. Sessions in one
 * namespace share it: a later one adds its lease as one more owner (metadata stays
 * writable on an immutable ConfigMap), so the collector removes it only once every owner
 * is gone. The collector deletes with the version it judged as a precondition, so an
 * owner added in time keeps the ConfigMap; one it already deleted is created again.
 */
export async function deliverAgentScript(objects: ObjectStore, script: AgentScript, namespace: string, lease: KubeObject): Promise<void> {
	await ensureShared(objects, agentScriptManifest(script, namespace, lease), lease, (current) => {
		if ((current.data as Record<string, string> | undefined)?.[AGENT_SCRIPT_KEY] !== script.text) {
			throw agentNotReady('the session', `ConfigMap ${namespace}/${script.configMap} holds something else than this kubebridge's agent script; delete it and connect again.`);
		}
	}, () => agentNotReady('the session', `ConfigMap ${namespace}/${script.configMap} kept changing while the agent's script was delivered.`));
}
