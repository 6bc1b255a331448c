import { ErrorCodes } from '../../protocol/index.js';
import { KubebridgeError } from '../errors.js';

export const targetTakenOver = (what: string, owner: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.TargetTakenOver, {
		reason: 'targetTakenOver',
		hint: "If that session is gone (its process crashed), its restorer puts the workload back within half a minute; 'kubebridge restore' does it at once.",
	}, `${what} is already taken over by another kubebridge session (${owner}).`);

export const agentNotReady = (what: string, detail: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.AgentNotReady, {
		reason: 'agentNotReady',
		hint: "Check that the cluster's nodes can pull the agent's image (a mirror of node:24-slim: --agent-base-image, KUBEBRIDGE_AGENT_BASE_IMAGE or agent.baseImage in kubebridge.yaml) and that the pods may run there; the workload was restored.",
	}, `The agent pods of ${what} did not become ready: ${detail}`);

export const sessionActive = (): KubebridgeError =>
	new KubebridgeError(ErrorCodes.SessionState, { reason: 'sessionActive', hint: "Send 'session/disconnect' first, or connect every target in one request." },
		'A session is already connected in this kubebridge process.');

export const noSession = (): KubebridgeError =>
	new KubebridgeError(ErrorCodes.SessionState, { reason: 'noSession' }, 'No session is connected.');
