import { isIPv4 } from 'node:net';

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;
const WILDCARDS = new Set(['0.0.0.0', '::', '*']);

/** IPv4-mapped IPv6 addresses are the IPv4 address they carry. */
function normaliseAddress(address: string): string {
	const bare = address.replace(/^\[|\]$/g, '');
	return MAPPED_V4.exec(bare)?.[1] ?? bare.toLowerCase();
}

/**
 * Whether a socket listening on `listening` keeps a bind to `wanted` on the same port from
 * succeeding: the same address, a wildcard on either side, or `::` (dual-stack by default
 * on Linux, macOS and Windows) against an IPv4 address.
 */
export function blocksBind(listening: string, wanted: string): boolean {
	const held = normaliseAddress(listening);
	const want = normaliseAddress(wanted);
	if (held === want || WILDCARDS.has(want) || held === '::' || held === '*') return true;
	return held === '0.0.0.0' && isIPv4(want);
}
