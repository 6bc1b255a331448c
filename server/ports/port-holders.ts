import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { endianness } from 'node:os';
import { promisify } from 'node:util';
import { blocksBind } from './listen-address.js';
import { commandLine, parseProcNetTcp, socketInode, type ProcNetListener } from './linux-proc-net.js';
import { parseLsof } from './macos-lsof.js';
import type { PortHolder } from './port-holder-types.js';
import { parseNetstat, parseTasklist } from './windows-netstat.js';

const run = promisify(execFile);

function readOr(path: string, fallback: string): string {
	try {
		return readFileSync(path, 'latin1');
	} catch {
		return fallback;
	}
}

/** Which process has each socket inode open; processes this user may not inspect are skipped. */
function inodeOwners(inodes: Set<number>): Map<number, number[]> {
	const owners = new Map<number, number[]>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let fds: string[];
		try {
			fds = readdirSync(`/proc/${entry}/fd`);
		} catch {
			continue;
		}
		for (const fd of fds) {
			let inode: number | null = null;
			try {
				inode = socketInode(readlinkSync(`/proc/${entry}/fd/${fd}`));
			} catch {
				continue;
			}
			if (inode !== null && inodes.has(inode)) {
				const pids = owners.get(inode) ?? [];
				if (!pids.includes(Number(entry))) owners.set(inode, [...pids, Number(entry)]);
			}
		}
	}
	return owners;
}

function linuxHolders(port: number, address: string): PortHolder[] {
	const littleEndian = endianness() === 'LE';
	const listeners: ProcNetListener[] = ['/proc/net/tcp', '/proc/net/tcp6']
		.flatMap((file) => parseProcNetTcp(readOr(file, ''), littleEndian))
		.filter((l) => l.port === port && blocksBind(l.address, address));
	const owners = inodeOwners(new Set(listeners.map((l) => l.inode)));
	return listeners.flatMap((l): PortHolder[] => {
		const pids = owners.get(l.inode);
		if (!pids) return [{ address: l.address, port, pid: null, command: null }];
		return pids.map((pid) => ({ address: l.address, port, pid, command: commandLine(readOr(`/proc/${pid}/cmdline`, '')) || null }));
	});
}

async function windowsHolders(port: number, address: string): Promise<PortHolder[]> {
	const [v4, v6, tasks] = await Promise.all([
		run('netstat', ['-ano', '-p', 'TCP']),
		run('netstat', ['-ano', '-p', 'TCPv6']),
		run('tasklist', ['/FO', 'CSV', '/NH']),
	]);
	const images = parseTasklist(tasks.stdout);
	return parseNetstat(v4.stdout + v6.stdout)
		.filter((l) => l.port === port && blocksBind(l.address, address))
		.map((l) => ({ address: l.address, port, pid: l.pid, command: images.get(l.pid) ?? null }));
}

async function macosHolders(port: number, address: string): Promise<PortHolder[]> {
	// lsof exits 1 when nothing matches: that is an answer, not a failure.
	const listing = await run('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-F', 'pcn'])
		.catch((error: { code?: unknown; stdout?: string }) => (error.code === 1 ? { stdout: error.stdout ?? '' } : Promise.reject(error)));
	const holders = parseLsof(listing.stdout).filter((h) => h.port === port && blocksBind(h.address, address));
	// lsof names only the executable; ps gives the whole command line.
	return Promise.all(holders.map(async (h) => {
		const ps = await run('ps', ['-ww', '-o', 'command=', '-p', String(h.pid)]).catch(() => null);
		return { ...h, command: ps?.stdout.trim() || h.command };
	}));
}

/**
 * The processes whose listening TCP sockets keep `address:port` from being bound here,
 * one entry per process (a socket shared by a parent and its workers lists each).
 */
export async function findPortHolders(port: number, address: string, platform: NodeJS.Platform = process.platform): Promise<PortHolder[]> {
	if (platform === 'win32') return windowsHolders(port, address);
	if (platform === 'darwin') return macosHolders(port, address);
	return linuxHolders(port, address);
}
