import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { FileEntry, MountListing } from '../../agent/src/contract/contract.js';
import type { FileSkipReason, MountedFiles } from '../../protocol/index.js';
import type { FileSource } from './file-source.js';
import type { MountSpec } from './mount-table.js';

const LISTED_SKIPS = 50;

/** The state of a mirror for the session's result: every mount and how its copy went. */
export interface MirrorState {
	pod: string;
	mounts: MountedFiles[];
	refreshedAt: string | null;
	refreshError: string | null;
}

/** What a local copy should be: the remote path to read it from, its digest and local mode. */
interface Wanted {
	remote: string;
	sha256: string;
	mode: number;
	size: number;
	/** Index of the mount it belongs to. */
	mount: number;
}

/**
 * Path segments that are safe to use on this machine: the agent's answer decides where files
 * are written, so a name that climbs out (`..`) or is not a plain name is never used.
 */
function segmentsOf(path: string): string[] | null {
	if (path === '') return [];
	const segments = path.split('/');
	return segments.every((s) => s !== '' && s !== '.' && s !== '..' && !/[\\\0]/.test(s)) ? segments : null;
}

/**
 * Owner-only on this machine: Secret data and tokens read-write for the owner; other files
 * too, with the owner's execute bit when the container's file is executable (scripts in a
 * ConfigMap with `defaultMode: 0755`).
 */
export function localModeOf(remoteMode: number, secret: boolean): number {
	return !secret && (remoteMode & 0o111) !== 0 ? 0o700 : 0o600;
}

async function removeIfKind(path: string, kind: 'dir' | 'file'): Promise<void> {
	const info = await lstat(path).catch(() => null);
	if (info && (kind === 'dir' ? info.isDirectory() : !info.isDirectory())) await rm(path, { recursive: true, force: true });
}

/** Replaces a copy in one step, so a program watching the file never reads half of it. */
async function writeCopy(path: string, bytes: Buffer, mode: number): Promise<void> {
	await removeIfKind(path, 'dir');
	const temporary = `${path}.kubebridge-${randomBytes(4).toString('hex')}`;
	await writeFile(temporary, bytes, { mode });
	await chmod(temporary, mode);
	await rename(temporary, path);
}

/**
 * Keeps a local copy of a container's mounted files: under `root`, each mount at its own
 * path (`/etc/config` at `<root>/etc/config`). Each refresh lists the mounts with digests
 * and reads only the files whose digest changed; files gone from the container go locally
 * too. The agent's names, not the kubelet's `..data` internals, are what is copied.
 */
export class FileMirror {
	/** Local file → `sha256:mode` of the copy there. */
	private readonly copies = new Map<string, string>();
	private readonly dirs = new Set<string>();
	private state: MirrorState;

	constructor(readonly root: string, private readonly mounts: MountSpec[], private readonly source: FileSource) {
		this.state = {
			pod: '', refreshedAt: null, refreshError: null,
			mounts: mounts.map((mount) => this.describe(mount, null, [])),
		};
	}

	get current(): MirrorState {
		return this.state;
	}

	/**
	 * Lists, copies what changed and removes what went; returns the local paths touched. It
	 * never throws: a failure (the agent unreachable, a local disk full) is kept in
	 * `refreshError` and the next refresh starts over from what is on disk.
	 */
	async refresh(): Promise<string[]> {
		try {
			return await this.sync();
		} catch (error) {
			this.state = { ...this.state, refreshError: (error as Error).message };
			return [];
		}
	}

	private async sync(): Promise<string[]> {
		// A container without mounts costs no port-forward every two seconds.
		if (this.mounts.length === 0) return [];
		const snapshot = await this.source.list(this.mounts.map((m) => m.mountPath));
		const wanted = new Map<string, Wanted>();
		const dirs = new Set<string>();
		const listings = this.mounts.map((mount, index) => {
			const listing = snapshot.mounts.find((l) => l.mountPath === mount.mountPath) ?? null;
			this.plan(index, listing, wanted, dirs);
			return listing;
		});
		const changed: string[] = [];
		let failure: string | null = null;
		for (const dir of [...dirs].sort()) {
			await removeIfKind(dir, 'file');
			await mkdir(dir, { recursive: true, mode: 0o700 });
		}
		for (const [local, want] of wanted) {
			if (this.copies.get(local) === `${want.sha256}:${want.mode}`) continue;
			try {
				const content = await snapshot.read(want.remote);
				await mkdir(join(local, '..'), { recursive: true, mode: 0o700 });
				await writeCopy(local, content.bytes, want.mode);
				this.copies.set(local, `${content.sha256}:${want.mode}`);
				changed.push(local);
			} catch (error) {
				// The old copy stays; the next refresh tries again.
				failure = `${want.remote}: ${(error as Error).message}`;
			}
		}
		for (const local of [...this.copies.keys()].filter((path) => !wanted.has(path))) {
			await rm(local, { force: true });
			this.copies.delete(local);
			changed.push(local);
		}
		for (const dir of [...this.dirs].filter((path) => !dirs.has(path)).sort().reverse()) await rm(dir, { recursive: true, force: true });
		this.dirs.clear();
		dirs.forEach((dir) => this.dirs.add(dir));
		const copied = [...wanted].filter(([local]) => this.copies.has(local)).map(([, want]) => want);
		this.state = {
			pod: snapshot.pod, refreshedAt: new Date().toISOString(), refreshError: failure,
			mounts: this.mounts.map((mount, index) => this.describe(mount, listings[index]!, copied.filter((want) => want.mount === index))),
		};
		return changed;
	}

	private localMountPath(mount: MountSpec): string | null {
		const segments = mount.mountPath.startsWith('/') ? segmentsOf(posix.normalize(mount.mountPath).slice(1).replace(/\/$/, '')) : null;
		return segments ? join(this.root, ...segments) : null;
	}

	private plan(index: number, listing: MountListing | null, wanted: Map<string, Wanted>, dirs: Set<string>): void {
		const mount = this.mounts[index]!;
		const base = this.localMountPath(mount);
		if (!base || !listing || listing.error) return;
		if (!listing.entries.some((entry) => entry.path === '')) dirs.add(base);
		for (const entry of listing.entries) {
			const segments = segmentsOf(entry.path);
			if (!segments || entry.skipped) continue;
			const local = join(base, ...segments);
			if (entry.type === 'dir') dirs.add(local);
			else if (entry.sha256) {
				wanted.set(local, {
					remote: entry.path ? posix.join(mount.mountPath, entry.path) : mount.mountPath,
					sha256: entry.sha256, mode: localModeOf(entry.mode, mount.secret), size: entry.size, mount: index,
				});
			}
		}
	}

	private describe(mount: MountSpec, listing: MountListing | null, copied: Wanted[]): MountedFiles {
		const localPath = this.localMountPath(mount);
		const skipped = (listing?.entries ?? []).filter((entry): entry is FileEntry & { skipped: FileSkipReason } => entry.skipped !== undefined);
		return {
			name: mount.name, mountPath: mount.mountPath, localPath: localPath ?? '', kind: mount.kind, secret: mount.secret,
			fileCount: copied.length,
			bytes: copied.reduce((sum, want) => sum + want.size, 0),
			error: !localPath ? 'unsafePath' : listing ? listing.error ?? null : 'unavailable',
			skipped: skipped.slice(0, LISTED_SKIPS).map((entry) => ({ path: entry.path ? posix.join(mount.mountPath, entry.path) : mount.mountPath, reason: entry.skipped })),
			skippedCount: skipped.length,
			truncated: listing?.truncated ?? false,
		};
	}
}
