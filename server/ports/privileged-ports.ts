import { readFileSync } from 'node:fs';

const CAP_NET_BIND_SERVICE = 10n;

/** Whether an effective capability set (the `CapEff:` hex of /proc/<pid>/status) holds CAP_NET_BIND_SERVICE. */
export function hasBindCapability(status: string): boolean {
	const hex = /^CapEff:\s*([0-9a-f]+)$/im.exec(status)?.[1];
	return hex !== undefined && ((BigInt(`0x${hex}`) >> CAP_NET_BIND_SERVICE) & 1n) === 1n;
}

function unprivilegedPortStart(): number {
	try {
		return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
	} catch {
		return 1024;
	}
}

/**
 * Whether this process may not bind `port` on Linux: below the
 * `net.ipv4.ip_unprivileged_port_start` sysctl (1024 by default), without root and
 * without CAP_NET_BIND_SERVICE. macOS (since 10.14) and Windows have no such limit.
 */
export function needsPrivilegeToBind(port: number, platform: NodeJS.Platform = process.platform): boolean {
	if (platform !== 'linux' || process.getuid?.() === 0 || port >= unprivilegedPortStart()) return false;
	return !hasBindCapability(readFileSync('/proc/self/status', 'utf8'));
}
