import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServices } from '../../../out/server/cluster/service-discovery.js';

const pod = (name, labels, owner, containers, extra = {}) => ({
	metadata: { name, namespace: 'shop', labels, ownerReferences: owner ? [{ kind: owner.kind, name: owner.name, controller: true }] : undefined },
	spec: { nodeName: 'node1', containers, ...extra },
	status: { phase: 'Running', podIP: '10.0.0.1', containerStatuses: containers.map((c) => ({ name: c.name, ready: true })) },
});
const container = (name, ports = []) => ({ name, image: `${name}:1`, ports });
const service = (name, spec) => ({ metadata: { name, namespace: 'shop' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.5', ...spec } });
const snapshot = (parts) => ({ services: [], pods: [], replicaSets: [], deployments: [], statefulSets: [], ...parts });

test('a Deployment with replicas is found through its ReplicaSet and is connectable', () => {
	const [api] = describeServices(snapshot({
		services: [service('api', { selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] })],
		pods: [1, 2, 3].map((i) => pod(`api-${i}`, { app: 'api' }, { kind: 'ReplicaSet', name: 'api-rs' }, [container('api', [{ name: 'http', containerPort: 8080 }])])),
		replicaSets: [{ metadata: { name: 'api-rs', ownerReferences: [{ kind: 'Deployment', name: 'api', controller: true }] }, spec: { replicas: 3 } }],
		deployments: [{ metadata: { name: 'api' }, spec: { replicas: 3 } }],
	}));
	assert.equal(api.connectable, true);
	assert.deepEqual(api.workloads, [{ kind: 'Deployment', name: 'api', replicas: 3 }]);
	assert.equal(api.pods.length, 3);
	assert.equal(api.ports[0].container, 'api');
	assert.match(api.detail, /3 pod\(s\) of Deployment api/);
});

test('in a pod with a sidecar, the port is served by the container that declares it', () => {
	const [orders] = describeServices(snapshot({
		services: [service('orders', { selector: { app: 'orders' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] })],
		pods: [pod('orders-1', { app: 'orders' }, null, [container('proxy', [{ containerPort: 15001 }]), container('orders', [{ containerPort: 8080 }])])],
	}));
	assert.equal(orders.ports[0].container, 'orders');
	assert.equal(orders.connectable, true);
	assert.deepEqual(orders.workloads, [{ kind: 'Pod', name: 'orders-1', replicas: null }]);
	assert.match(orders.detail, /other 1 container\(s\) keep running/);
});

test('each reason a service cannot be connected', () => {
	const web = [container('web', [{ containerPort: 8080 }])];
	const services = describeServices(snapshot({
		services: [
			service('external', { type: 'ExternalName', externalName: 'db.example.invalid', clusterIP: undefined }),
			service('manual', { ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] }),
			service('sctp', { selector: { app: 'web' }, ports: [{ port: 53, targetPort: 53, protocol: 'SCTP' }] }),
			service('ghost', { selector: { app: 'ghost' }, ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] }),
			service('daemon', { selector: { app: 'agent' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] }),
			service('host', { selector: { app: 'host' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] }),
			service('unmatched', { selector: { app: 'two' }, ports: [{ port: 80, targetPort: 9999, protocol: 'TCP' }] }),
		],
		pods: [
			pod('web-1', { app: 'web' }, null, web),
			pod('agent-1', { app: 'agent' }, { kind: 'DaemonSet', name: 'agent' }, web),
			pod('host-1', { app: 'host' }, null, web, { hostNetwork: true }),
			pod('two-1', { app: 'two' }, null, [container('a', [{ containerPort: 1 }]), container('b', [{ containerPort: 2 }])]),
		],
	}));
	const reasons = Object.fromEntries(services.map((s) => [s.name, s.notConnectableReason]));
	assert.deepEqual(reasons, {
		daemon: 'unsupportedWorkload', external: 'externalName', ghost: 'noPods', host: 'hostNetwork',
		manual: 'noSelector', sctp: 'noTcpOrUdpPorts', unmatched: 'noServingContainer',
	});
	assert.ok(services.every((s) => !s.connectable && s.detail.length > 0));
	assert.equal(services.find((s) => s.name === 'external').clusterIP, null);
});

test('a headless StatefulSet service is connectable; terminating pods are left out', () => {
	const db = [container('db', [{ containerPort: 5432 }])];
	const gone = pod('db-2', { app: 'db' }, { kind: 'StatefulSet', name: 'db' }, db);
	gone.metadata.deletionTimestamp = new Date();
	const [svc] = describeServices(snapshot({
		services: [service('db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432, targetPort: 5432, protocol: 'TCP' }] })],
		pods: [pod('db-0', { app: 'db' }, { kind: 'StatefulSet', name: 'db' }, db), pod('db-1', { app: 'db' }, { kind: 'StatefulSet', name: 'db' }, db), gone],
		statefulSets: [{ metadata: { name: 'db' }, spec: { replicas: 2 } }],
	}));
	assert.equal(svc.headless, true);
	assert.equal(svc.connectable, true);
	assert.deepEqual(svc.pods.map((p) => p.name), ['db-0', 'db-1']);
	assert.deepEqual(svc.workloads, [{ kind: 'StatefulSet', name: 'db', replicas: 2 }]);
});
