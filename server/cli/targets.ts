import type { ConnectTarget, PortMapping, RouteHeader, TargetWorkloadKind } from '../../protocol/index.js';

const KINDS: Record<string, TargetWorkloadKind | 'service'> = {
	service: 'service', svc: 'service', deployment: 'Deployment', deploy: 'Deployment',
	statefulset: 'StatefulSet', sts: 'StatefulSet', replicaset: 'ReplicaSet', rs: 'ReplicaSet', pod: 'Pod', po: 'Pod',
};

/** `remote:local`, as `--port 80:8080`. */
export function parsePortMapping(text: string): PortMapping {
	const match = /^(\d+):(\d+)$/.exec(text);
	if (!match) throw new Error(`'${text}' is not REMOTE:LOCAL (e.g. 8080:3000)`);
	return { remote: Number(match[1]), local: Number(match[2]) };
}

/** `NAME=VALUE`, as `--route-header x-dev=alice`. */
export function parseRouteHeader(text: string): RouteHeader {
	const match = /^([^=\s]+)=(\S+)$/.exec(text);
	if (!match) throw new Error(`'${text}' is not NAME=VALUE (e.g. x-dev=alice)`);
	return { header: match[1]!, value: match[2]! };
}

/**
 * A target as typed on the command line: `api` (a service), `service/api`,
 * `deployment/api`, `statefulset/db` …, with `:PORT` for the local port of its first port.
 */
export function parseTarget(text: string, namespace: string | undefined): ConnectTarget {
	const match = /^(?:([a-z]+)\/)?([a-z0-9]([-a-z0-9.]*[a-z0-9])?)(?::(\d+))?$/.exec(text);
	if (!match) throw new Error(`'${text}' is not a target: use NAME, service/NAME or deployment/NAME, optionally :LOCALPORT`);
	const kind = KINDS[match[1] ?? 'service'];
	if (!kind) throw new Error(`'${match[1]}' is not a kind kubebridge connects: use service, deployment, statefulset, replicaset or pod`);
	return {
		...(kind === 'service' ? { service: match[2]! } : { workload: { kind, name: match[2]! } }),
		...(namespace ? { namespace } : {}),
		...(match[4] ? { localPort: Number(match[4]) } : {}),
	};
}
