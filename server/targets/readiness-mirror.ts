import type { V1Container } from '@kubernetes/client-node';
import type { MirroredProbe } from '../../agent/src/contract/contract.js';

/** The replaced container's readiness probe as the agent mirrors it, with the kubelet's timing for `/readyz`. */
export interface ReadinessMirror {
	probe: MirroredProbe;
	periodSeconds: number;
	failureThreshold: number;
	successThreshold: number;
}

/** What `features.probes` can do for a target: the probe to mirror, or why readiness stays the agent's own. */
export type ReadinessPlan = { mirror: ReadinessMirror } | { reason: string };

/**
 * The container's readinessProbe as the agent can answer it for the local program: only an
 * HTTP GET on a port the agent serves travels there as a caller's request does. A
 * tcpSocket probe cannot be told apart: the agent accepts every connection itself before
 * the local program is asked, so it would pass whether or not anything listens here.
 */
export function readinessPlan(container: Pick<V1Container, 'readinessProbe' | 'ports'>, agentPorts: number[]): ReadinessPlan {
	const original = container.readinessProbe;
	if (!original) return { reason: 'the container has no readinessProbe' };
	const get = original.httpGet;
	if (!get) {
		const kind = original.tcpSocket ? 'tcpSocket' : original.exec ? 'exec' : original.grpc ? 'grpc' : 'unknown';
		const why = kind === 'tcpSocket' ? 'the agent accepts connections itself, so a connection says nothing of the local program'
			: 'only httpGet probes travel to the local program';
		return { reason: `its readinessProbe is ${kind === 'unknown' ? 'of a kind kubebridge does not know' : `a ${kind} probe`}: ${why}` };
	}
	if (get.host) return { reason: `its readinessProbe asks host ${get.host}, not the container` };
	const named = typeof get.port === 'string' && !/^\d+$/.test(get.port);
	const port = named ? container.ports?.find((p) => p.name === get.port)?.containerPort : Number(get.port);
	if (port === undefined) return { reason: `its readinessProbe names port '${String(get.port)}', which the container does not declare` };
	if (!agentPorts.includes(port)) return { reason: `its readinessProbe's port ${port} is not one the agent serves` };
	return {
		mirror: {
			probe: {
				port, path: get.path || '/', scheme: get.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP',
				headers: (get.httpHeaders ?? []).map(({ name, value }) => ({ name, value })),
				timeoutSeconds: original.timeoutSeconds ?? 1,
			},
			// The kubelet's defaults, as the original probe had them. initialDelaySeconds is
			// left out: until armed the agent answers at once, and a delay would only slow connect.
			periodSeconds: original.periodSeconds ?? 10,
			failureThreshold: original.failureThreshold ?? 3,
			successThreshold: original.successThreshold ?? 1,
		},
	};
}

/** How the probe reads in messages: `GET http://:8080/ready`. */
export const describeProbe = (probe: MirroredProbe): string => `GET ${probe.scheme.toLowerCase()}://:${probe.port}${probe.path}`;
