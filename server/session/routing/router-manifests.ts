import { AGENT_ENV, DEFAULT_HEALTH_PORT, LABELS } from '../../../agent/src/contract/contract.js';
import { originalsName, ROUTER_ENV, ROUTER_LABEL, routerName } from '../../../agent/src/contract/routing-record.js';
import type { KubeObject } from '../../cluster/object-store.js';
import type { AgentRuntime } from '../agent-runtime.js';
import { ownPod } from '../own-pod.js';
import { leaseOwner } from '../restorer-manifests.js';

/** A port the router takes: the container port the Service's targetPort resolves to, with the name it may go by. */
export interface RoutedPort {
	containerPort: number;
	/** The container port's name, so a Service whose targetPort names it finds the router's. */
	name?: string;
	/** The Service port's targetPort as the Service writes it: the originals' Service uses the same. */
	targetPort: number | string;
}

export interface RouterSpec {
	namespace: string;
	service: string;
	/** The Service's selector before routing: the originals' Service selects with it. */
	selector: Record<string, string>;
	ports: RoutedPort[];
}

const labels = { [LABELS.role]: 'router' };

/**
 * The router Deployment of a Service, owned by the lease of every session with a route
 * there: the garbage collector removes it once the last of them is gone. It reads the
 * routes from the Service and the originals' address from their Service, nothing else.
 */
export function routerDeployment(spec: RouterSpec, runtime: AgentRuntime, lease: KubeObject): KubeObject {
	const name = routerName(spec.service);
	const podLabels = { ...labels, [ROUTER_LABEL]: spec.service };
	const own = ownPod(runtime, 'router', 'route');
	const taken = new Set(spec.ports.map((p) => p.containerPort));
	let healthPort = DEFAULT_HEALTH_PORT;
	while (taken.has(healthPort)) healthPort++;
	const probe = (path: string, periodSeconds: number) => ({ httpGet: { path, port: healthPort }, periodSeconds, failureThreshold: 3, timeoutSeconds: 1 });
	return {
		apiVersion: 'apps/v1', kind: 'Deployment',
		metadata: { name, namespace: spec.namespace, labels, ownerReferences: [leaseOwner(lease)] },
		spec: {
			replicas: 1,
			selector: { matchLabels: { [ROUTER_LABEL]: spec.service } },
			template: {
				metadata: { labels: podLabels },
				spec: {
					serviceAccountName: name,
					terminationGracePeriodSeconds: 2,
					...own.spec,
					containers: [{
						...own.container,
						ports: spec.ports.map((p) => ({ containerPort: p.containerPort, ...(p.name ? { name: p.name } : {}), protocol: 'TCP' })),
						env: [
							{ name: ROUTER_ENV.service, value: spec.service },
							{ name: AGENT_ENV.ports, value: spec.ports.map((p) => p.containerPort).join(',') },
							{ name: AGENT_ENV.healthPort, value: String(healthPort) },
						],
						readinessProbe: probe('/readyz', 1),
						livenessProbe: probe('/healthz', 10),
						resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '256Mi' } },
					}],
				},
			},
		},
	};
}

/**
 * What the router needs beside it, owned by its Deployment so they go with it: a Service
 * with the original selector (where requests without a session's header go), and the
 * right to read that Service and the routed one.
 */
export function routerDependents(spec: RouterSpec, deployment: KubeObject): KubeObject[] {
	const name = routerName(spec.service);
	const ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: deployment.metadata.uid!, blockOwnerDeletion: false }];
	const metadata = { name, namespace: spec.namespace, labels, ownerReferences };
	return [
		{ apiVersion: 'v1', kind: 'ServiceAccount', metadata },
		{
			apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata,
			rules: [{ apiGroups: [''], resources: ['services'], resourceNames: [spec.service, originalsName(spec.service)], verbs: ['get'] }],
		},
		{
			apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata,
			roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
			subjects: [{ kind: 'ServiceAccount', name, namespace: spec.namespace }],
		},
		{
			apiVersion: 'v1', kind: 'Service',
			metadata: { ...metadata, name: originalsName(spec.service) },
			spec: {
				selector: spec.selector,
				ports: spec.ports.map((p) => ({ name: `p${p.containerPort}`, port: p.containerPort, targetPort: p.targetPort, protocol: 'TCP' })),
			},
		},
	];
}
