import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { FILE_LIMITS, type FileEntry, type MountListing } from './contract/contract.js';
import { within } from './mount-points.js';

/** The kubelet's atomic writer keeps its versions in `..`-named entries next to `..data`. */
const KUBELET_DATA = '..data';

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? '';

/** What one listing has used so far, and the digests it saw (the cache for the next one). */
interface Budget {
	bytes: number;
	entries: number;
	seen: Map<string, string>;
}

/**
 * Lists the files under a container's volume mounts with their SHA-256, within
 * FILE_LIMITS. Symbolic links are followed while they stay inside the mount (a ConfigMap's
 * keys are links into `..data`); digests are kept per inode and change time, so a listing
 * every few seconds reads only what changed.
 */
export class FileLister {
	private digests = new Map<string, string>();

	async list(mountPaths: string[]): Promise<MountListing[]> {
		const budget: Budget = { bytes: 0, entries: 0, seen: new Map() };
		const listings: MountListing[] = [];
		for (const mountPath of mountPaths) {
			const others = new Set(mountPaths.filter((other) => other !== mountPath && within(other, mountPath)));
			listings.push(await this.listMount(mountPath, others, budget));
		}
		this.digests = budget.seen;
		return listings;
	}

	private async listMount(mountPath: string, others: Set<string>, budget: Budget): Promise<MountListing> {
		let top: Stats;
		try {
			top = await stat(mountPath);
		} catch (error) {
			return { mountPath, error: codeOf(error) === 'ENOENT' ? 'missing' : 'unreadable', entries: [] };
		}
		const listing: MountListing = { mountPath, entries: [] };
		if (!top.isDirectory()) {
			listing.entries.push(await this.entryOf(mountPath, '', top, budget));
			return listing;
		}
		const root = await realpath(mountPath);
		await this.walk({ root, others, listing, budget, visited: new Set([root]) }, mountPath, '');
		return listing;
	}

	private async walk(walk: { root: string; others: Set<string>; listing: MountListing; budget: Budget; visited: Set<string> },
		dir: string, relative: string): Promise<void> {
		let names: string[];
		try {
			names = (await readdir(dir)).sort();
		} catch {
			if (relative) walk.listing.entries[walk.listing.entries.length - 1]!.skipped = 'unreadable';
			else walk.listing.error = 'unreadable';
			return;
		}
		const kubeletVolume = names.includes(KUBELET_DATA);
		for (const name of names) {
			if (kubeletVolume && name.startsWith('..')) continue;
			const path = `${dir}/${name}`;
			if (walk.others.has(path)) continue;
			if (walk.budget.entries >= FILE_LIMITS.entries) {
				walk.listing.truncated = true;
				return;
			}
			walk.budget.entries++;
			const child = relative ? `${relative}/${name}` : name;
			const entry = await this.linkedEntry(path, child, walk.root, walk.budget);
			walk.listing.entries.push(entry);
			if (entry.type !== 'dir' || entry.skipped) continue;
			const real = await realpath(path).catch(() => null);
			if (!real || walk.visited.has(real)) continue;
			walk.visited.add(real);
			await this.walk(walk, path, child);
		}
	}

	/** One entry, through a symbolic link when the link stays inside the mount. */
	private async linkedEntry(path: string, relative: string, root: string, budget: Budget): Promise<FileEntry> {
		let target: Stats;
		try {
			const link = await lstat(path);
			if (link.isSymbolicLink() && !within(await realpath(path), root)) return { path: relative, type: 'file', mode: 0, size: 0, skipped: 'linkOutside' };
			target = link.isSymbolicLink() ? await stat(path) : link;
		} catch {
			return { path: relative, type: 'file', mode: 0, size: 0, skipped: 'unreadable' };
		}
		return this.entryOf(path, relative, target, budget);
	}

	private async entryOf(path: string, relative: string, info: Stats, budget: Budget): Promise<FileEntry> {
		const base = { path: relative, mode: info.mode & 0o7777, size: info.isFile() ? info.size : 0 };
		if (info.isDirectory()) return { ...base, type: 'dir' };
		if (!info.isFile()) return { ...base, type: 'file', skipped: 'notRegular' };
		if (info.size > FILE_LIMITS.fileBytes) return { ...base, type: 'file', skipped: 'tooLarge' };
		if (budget.bytes + info.size > FILE_LIMITS.totalBytes) return { ...base, type: 'file', skipped: 'limitReached' };
		const key = `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
		let sha256 = this.digests.get(key);
		if (!sha256) {
			try {
				sha256 = createHash('sha256').update(await readFile(path)).digest('hex');
			} catch {
				return { ...base, type: 'file', skipped: 'unreadable' };
			}
		}
		budget.seen.set(key, sha256);
		budget.bytes += info.size;
		return { ...base, type: 'file', sha256 };
	}
}

export type ContentAnswer =
	| { status: 200; bytes: Buffer; sha256: string }
	| { status: 403 | 404 | 413; reason: string };

/** One file's bytes, read whole (it is within FILE_LIMITS.fileBytes) so its digest matches what is sent. */
export async function readContent(path: string): Promise<ContentAnswer> {
	try {
		const info = await stat(path);
		if (!info.isFile()) return { status: 404, reason: 'not a regular file' };
		if (info.size > FILE_LIMITS.fileBytes) return { status: 413, reason: `larger than ${FILE_LIMITS.fileBytes} bytes` };
		const bytes = await readFile(path);
		return { status: 200, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
	} catch (error) {
		return codeOf(error) === 'ENOENT' ? { status: 404, reason: 'no such file' } : { status: 403, reason: 'not readable by the agent' };
	}
}
