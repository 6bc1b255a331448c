import { agentLaunch, type AgentRuntime } from './agent-runtime.js';

/** Passes the `restricted` Pod Security Standard with a read-only root: kubebridge's own pods write nothing. */
const RESTRICTED_CONTAINER = {
	runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
	capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
};

/**
 * What every pod of kubebridge's own (the restorer, a router) has in common: the agent's
 * program run as `verb` on the session's image, with the delivered script mounted when
 * there is one, restricted wherever the agents run. The caller adds its env, ports,
 * probes and resources to `container`.
 */
export function ownPod(runtime: AgentRuntime, name: string, verb: string) {
	const launch = agentLaunch(runtime, [], []);
	return {
		spec: {
			securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
			...(launch.volume ? { volumes: [launch.volume] } : {}),
		},
		container: {
			name, image: runtime.image, imagePullPolicy: 'IfNotPresent', command: [...launch.command, verb],
			...(launch.mount ? { volumeMounts: [launch.mount] } : {}),
			securityContext: RESTRICTED_CONTAINER,
		},
	};
}
