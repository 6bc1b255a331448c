import type { TcpListener } from './port-holder-types.js';

/** A listening socket from /proc/net/tcp(6), with the inode that links it to a process. */
export interface ProcNetListener extends TcpListener {
	inode: number;
}

const LISTEN = '0A';

/** The kernel prints each 32-bit word of an address in host byte order. */
function wordBytes(hex: string, littleEndian: boolean): number[] {
	const bytes = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16));
	return littleEndian ? bytes.reverse() : bytes;
}

function addressOf(hex: string, littleEndian: boolean): string {
	if (hex.length === 8) return wordBytes(hex, littleEndian).join('.');
	const bytes = [0, 8, 16, 24].flatMap((i) => wordBytes(hex.slice(i, i + 8), littleEndian));
	if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
		return `::ffff:${bytes.slice(12).join('.')}`;
	}
	const groups = [];
	for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
	// The URL parser prints the canonical (RFC 5952) short form.
	return new URL(`http://[${groups.join(':')}]/`).hostname.replace(/^\[|\]$/g, '');
}

/** The LISTEN sockets of /proc/net/tcp or /proc/net/tcp6 (the header line is skipped). */
export function parseProcNetTcp(text: string, littleEndian: boolean): ProcNetListener[] {
	const listeners: ProcNetListener[] = [];
	for (const line of text.split('\n').slice(1)) {
		const fields = line.trim().split(/\s+/);
		if (fields.length < 10 || fields[3] !== LISTEN) continue;
		const [addressHex, portHex] = fields[1]!.split(':');
		if (!addressHex || !portHex) continue;
		listeners.push({ address: addressOf(addressHex, littleEndian), port: parseInt(portHex, 16), inode: Number(fields[9]) });
	}
	return listeners;
}

/** The socket inode a /proc/<pid>/fd link points at (`socket:[12345]`), or null. */
export function socketInode(link: string): number | null {
	const match = /^socket:\[(\d+)\]$/.exec(link);
	return match ? Number(match[1]) : null;
}

/** /proc/<pid>/cmdline: arguments separated and ended by NUL. */
export function commandLine(raw: string): string {
	return raw.replace(/\0+$/, '').split('\0').join(' ');
}
