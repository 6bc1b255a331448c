import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../platform/process-liveness.js';
import { makePrivateFolder } from '../platform/private-folder.js';

const OWNER_FILE = 'owner.json';
/** A folder without its owner file is a crash between creating it and writing the file. */
const UNOWNED_GRACE_MS = 60_000;

/** Who a session folder belongs to, so a later run can tell a live session from a dead one. */
export interface FolderOwner {
	session: string;
	pid: number;
	since: string;
}

/** Where every session keeps what it copies to this machine: a folder per session under the OS temp dir. */
export function sessionsDirectory(): string {
	return join(tmpdir(), 'kubebridge', 'sessions');
}

/**
 * The session's own folder, owner-only. It is created afresh (never reused), so nothing
 * another user put in a shared temp dir can stand in for it.
 */
export function createSessionFolder(session: string, base = sessionsDirectory()): string {
	mkdirSync(base, { recursive: true, mode: 0o700 });
	const folder = join(base, session);
	makePrivateFolder(folder, { recursive: false });
	const owner: FolderOwner = { session, pid: process.pid, since: new Date().toISOString() };
	writeFileSync(join(folder, OWNER_FILE), JSON.stringify(owner), { mode: 0o600 });
	return folder;
}

export function removeSessionFolder(folder: string): void {
	rmSync(folder, { recursive: true, force: true });
}

function ownerOf(folder: string): FolderOwner | null {
	try {
		return JSON.parse(readFileSync(join(folder, OWNER_FILE), 'utf8')) as FolderOwner;
	} catch {
		return null;
	}
}

/**
 * Removes the folders of sessions whose process is gone (a crash, a `kill -9`), with the
 * secrets copied into them. A folder whose owner still runs, or may (another user's
 * process), is left alone. Returns the folders removed.
 */
export function removeStaleSessionFolders(base = sessionsDirectory(), now = Date.now()): string[] {
	let names: string[];
	try {
		names = readdirSync(base);
	} catch {
		return [];
	}
	const removed: string[] = [];
	for (const name of names) {
		const folder = join(base, name);
		try {
			const owner = ownerOf(folder);
			const stale = owner ? !isProcessAlive(owner.pid) : now - statSync(folder).mtimeMs > UNOWNED_GRACE_MS;
			if (!stale) continue;
			removeSessionFolder(folder);
			removed.push(folder);
		} catch {
			// Another run may be sweeping the same folder, or it belongs to another user.
		}
	}
	return removed;
}
