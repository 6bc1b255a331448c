import { invalidHostsEntry } from './hosts-errors.js';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const OCTET = /^(?:0|[1-9]\d{0,2})$/;

/** An RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 1–63 each, 253 in all. */
export function isHostName(name: string): boolean {
	return name.length > 0 && name.length <= 253 && name.split('.').every((label) => LABEL.test(label));
}

/** A canonical dotted IPv4 address in 127.0.0.0/8, neither the network nor the broadcast address. */
export function isLoopbackAddress(address: string): boolean {
	const octets = address.split('.');
	if (octets.length !== 4 || !octets.every((o) => OCTET.test(o) && Number(o) <= 255)) return false;
	return octets[0] === '127' && address !== '127.0.0.0' && address !== '127.255.255.255';
}

export function assertHostName(name: string): void {
	if (!isHostName(name)) throw invalidHostsEntry(`the host name ${JSON.stringify(name)} (not an RFC 1123 name)`);
}

export function assertLoopbackAddress(address: string): void {
	if (!isLoopbackAddress(address)) throw invalidHostsEntry(`the address ${JSON.stringify(address)} (only IPv4 loopback addresses are written)`);
}

/** A service (or one pod of a headless service, e.g. a StatefulSet's `db-0`) to name. */
export interface NamedTarget {
	namespace: string;
	service: string;
	/** For a pod of a headless service: its host name (`db-0` answers as `db-0.db`). */
	pod?: string;
}

/**
 * The names a pod of `homeNamespace` uses for the target: the short forms only resolve
 * there through the namespace's search path, so other namespaces get qualified names only.
 */
export function clusterNames(target: NamedTarget, homeNamespace: string, clusterDomain = 'cluster.local'): string[] {
	const base = target.pod ? `${target.pod}.${target.service}` : target.service;
	const names = [`${base}.${target.namespace}`, `${base}.${target.namespace}.svc`, `${base}.${target.namespace}.svc.${clusterDomain}`];
	if (target.namespace === homeNamespace) names.unshift(base);
	names.forEach(assertHostName);
	return names;
}
