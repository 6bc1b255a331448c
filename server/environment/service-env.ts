import type { V1Service } from '@kubernetes/client-node';

/** A service variable with the Service it describes. */
export interface ServiceEnvVar {
	name: string;
	value: string;
	service: string;
}

// The kubelet's "master services": visible to every pod, service links or not.
const MASTER_NAMESPACE = 'default';
const MASTER_SERVICES = new Set(['kubernetes']);

const hasClusterIP = (service: V1Service): boolean => {
	const ip = service.spec?.clusterIP;
	return !!ip && ip !== 'None';
};

/**
 * The Services whose variables a pod in `namespace` gets, as the kubelet's
 * `getServiceEnvVarMap` picks them: those of its namespace when `enableServiceLinks` is on,
 * plus the master namespace's `kubernetes` Service always. A Service of the pod's own
 * namespace with a master service's name wins over the master one, as in the kubelet.
 */
export function visibleServices(services: V1Service[], namespace: string, enableServiceLinks: boolean): V1Service[] {
	const byName = new Map<string, V1Service>();
	for (const service of services) {
		if (!hasClusterIP(service)) continue;
		const name = service.metadata?.name ?? '';
		const serviceNamespace = service.metadata?.namespace;
		if (serviceNamespace === MASTER_NAMESPACE && MASTER_SERVICES.has(name)) {
			if (!byName.has(name)) byName.set(name, service);
		} else if (serviceNamespace === namespace && enableServiceLinks) {
			byName.set(name, service);
		}
	}
	return [...byName.values()];
}

/** `my-svc` → `MY_SVC`: what the kubelet puts before `_SERVICE_HOST`. */
const serviceVariablePrefix = (name: string): string => name.replaceAll('-', '_').toUpperCase();

/**
 * The variables the kubelet's `envvars.FromServices` makes for one Service: `_SERVICE_HOST`,
 * `_SERVICE_PORT` (first port), `_SERVICE_PORT_<NAME>` for named ports, and the Docker link
 * variables `_PORT` and `_PORT_<port>_<PROTO>{,_PROTO,_PORT,_ADDR}`.
 */
export function serviceVariables(service: V1Service, host = service.spec?.clusterIP ?? '', portOf = (port: number): number => port): ServiceEnvVar[] {
	const ports = service.spec?.ports ?? [];
	const name = service.metadata?.name ?? '';
	if (ports.length === 0) return [];
	const prefix = serviceVariablePrefix(name);
	const out: ServiceEnvVar[] = [];
	const add = (variable: string, value: string | number): void => {
		out.push({ name: variable, value: String(value), service: name });
	};
	add(`${prefix}_SERVICE_HOST`, host);
	add(`${prefix}_SERVICE_PORT`, portOf(ports[0].port));
	for (const port of ports) {
		if (port.name) add(`${prefix}_SERVICE_PORT_${serviceVariablePrefix(port.name)}`, portOf(port.port));
	}
	// Each link variable names the Service's port in its name and the address in its value.
	const hostPort = (port: number): string => (host.includes(':') ? `[${host}]:${portOf(port)}` : `${host}:${portOf(port)}`);
	ports.forEach((port, index) => {
		const protocol = port.protocol || 'TCP';
		const url = `${protocol.toLowerCase()}://${hostPort(port.port)}`;
		if (index === 0) add(`${prefix}_PORT`, url);
		const portPrefix = `${prefix}_PORT_${port.port}_${protocol.toUpperCase()}`;
		add(portPrefix, url);
		add(`${portPrefix}_PROTO`, protocol.toLowerCase());
		add(`${portPrefix}_PORT`, portOf(port.port));
		add(`${portPrefix}_ADDR`, host);
	});
	return out;
}
