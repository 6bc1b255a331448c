import { ErrorCodes } from '../../protocol/index.js';
import { KubebridgeError } from '../errors.js';

/**
 * A ConfigMap or Secret, or a key in one, that the container requires and the cluster
 * lacks. The kubelet would not start the container either (CreateContainerConfigError).
 */
export function envSourceNotFound(variable: string | null, kind: 'ConfigMap' | 'Secret', namespace: string, name: string, key?: string): KubebridgeError {
	const what = key === undefined ? `${kind} ${namespace}/${name}` : `key '${key}' in ${kind} ${namespace}/${name}`;
	const forVariable = variable ? ` (needed by env var ${variable})` : ' (named in envFrom)';
	return new KubebridgeError(ErrorCodes.EnvironmentUnresolvable, {
		reason: 'envSourceNotFound', name: variable ?? name,
		hint: `Create the ${key === undefined ? kind : 'key'}, or mark the reference optional in the pod spec.`,
	}, `Cannot build the container's environment: ${what} does not exist${forVariable}.`);
}

/** A `fieldRef` or `resourceFieldRef` the kubelet itself would refuse. */
export function envFieldUnsupported(field: string, why: string): KubebridgeError {
	return new KubebridgeError(ErrorCodes.EnvironmentUnresolvable, {
		reason: 'envFieldUnsupported', name: field,
		hint: 'Fix the field reference in the pod spec; the kubelet rejects it too.',
	}, `Cannot build the container's environment: '${field}' cannot be resolved (${why}).`);
}

/**
 * A read of a target with no running pod: the pod's own fields (its name, IPs, node) that
 * the environment holds have none to come from. `scale` is the workload to scale up, when
 * there is one to name.
 */
export function noRunningPod(label: string, namespace: string, scale: string | null): KubebridgeError {
	const hint = scale
		? `Scale it up (kubectl scale ${scale} -n ${namespace} --replicas=1) or wait until a pod runs, or name another target.`
		: label.startsWith('pod/') ? 'Wait until the pod runs, or name another target.'
			: 'Scale up the workload behind it or wait until a pod runs, or name another target.';
	return new KubebridgeError(ErrorCodes.EnvironmentUnresolvable, { reason: 'noRunningPod', name: label, hint },
		`Cannot read the environment of ${label} in namespace '${namespace}': it has no running pod, and the pod's own fields (name, IPs, node) come from one.`);
}
