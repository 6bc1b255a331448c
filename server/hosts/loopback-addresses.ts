import { invalidHostsEntry } from './hosts-errors.js';
import { assertLoopbackAddress } from './host-names.js';
import type { NamedTarget } from './host-names.js';

/**
 * The loopback address scheme (docs/outbound.md): session `k` (0..253) owns 127.(k+1).0.0/16,
 * so 127.0.0.0/16 (127.0.0.1, Debian's 127.0.1.1) is never used. Within it, a target
 * (`namespace/service` or `namespace/service/pod`) goes to slot FNV-1a(key) mod 65024, the
 * next free slot on a collision, with targets taken in sorted order; slot s is
 * 127.(k+1).(s div 254).(s mod 254 + 1), so the last octet is never 0 or 255. A target
 * keeps its address while services come and go: within a session because the addresses in
 * use are kept, across sessions unless a collision moves it.
 */
const SESSION_SLOTS = 254;
const SLOTS_PER_SESSION = 256 * 254;

function fnv1a(text: string): number {
	let hash = 0x811c9dc5;
	for (const byte of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
	return hash;
}

export const targetKey = (t: NamedTarget): string => [t.namespace, t.service, ...(t.pod ? [t.pod] : [])].join('/');

const slotOf = (address: string): number => {
	const [, , high, low] = address.split('.').map(Number);
	return high! * 254 + low! - 1;
};

/**
 * Addresses by target key (see {@link targetKey}) for session index `sessionIndex`. `kept`
 * holds addresses already in use by key (a session's listeners while services come and
 * go): those targets keep them, and the others take slots around them.
 */
export function assignLoopbackAddresses(sessionIndex: number, targets: NamedTarget[], kept: ReadonlyMap<string, string> = new Map()): Map<string, string> {
	if (!Number.isInteger(sessionIndex) || sessionIndex < 0 || sessionIndex >= SESSION_SLOTS) {
		throw invalidHostsEntry(`a loopback range for session index ${sessionIndex} (0..${SESSION_SLOTS - 1})`);
	}
	const keys = [...new Set(targets.map(targetKey))].sort();
	if (keys.length > SLOTS_PER_SESSION) throw invalidHostsEntry(`${keys.length} names (at most ${SLOTS_PER_SESSION} per session)`);
	const taken = new Set<number>();
	const addresses = new Map<string, string>();
	for (const key of keys) {
		const address = kept.get(key);
		if (address === undefined) continue;
		taken.add(slotOf(address));
		addresses.set(key, address);
	}
	for (const key of keys) {
		if (addresses.has(key)) continue;
		let slot = fnv1a(key) % SLOTS_PER_SESSION;
		while (taken.has(slot)) slot = (slot + 1) % SLOTS_PER_SESSION;
		taken.add(slot);
		addresses.set(key, `127.${sessionIndex + 1}.${Math.floor(slot / 254)}.${(slot % 254) + 1}`);
	}
	return addresses;
}

/** The lowest session index whose range no live session's address falls in. */
export function pickSessionIndex(addressesInUse: Iterable<string>): number {
	const used = new Set([...addressesInUse].map((a) => Number(a.split('.')[1]) - 1));
	for (let index = 0; index < SESSION_SLOTS; index++) if (!used.has(index)) return index;
	throw invalidHostsEntry(`another session's addresses (all ${SESSION_SLOTS} loopback ranges are in use)`);
}

/**
 * macOS configures only 127.0.0.1 on lo0; every other loopback address needs an alias
 * (root) before anything can listen on it. Linux and Windows route all of 127/8 already.
 */
export function loopbackAliasCommands(addresses: Iterable<string>, change: 'add' | 'remove'): string[][] {
	return [...new Set(addresses)].map((address) => {
		assertLoopbackAddress(address);
		return change === 'add' ? ['/sbin/ifconfig', 'lo0', 'alias', address, 'up'] : ['/sbin/ifconfig', 'lo0', '-alias', address];
	});
}
