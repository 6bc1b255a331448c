import { randomBytes } from 'node:crypto';
import { closeSync, fchownSync, fsyncSync, ftruncateSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isBindMounted } from './bind-mount.js';

export type WriteMode = 'atomic' | 'inPlace';

const IN_PLACE_ON_RENAME = new Set(['EBUSY', 'EXDEV']);
const TEMP_REFUSED = new Set(['EACCES', 'EPERM', 'EROFS']);

function writeAll(fd: number, content: Buffer): void {
	for (let at = 0; at < content.length;) at += writeSync(fd, content, at, content.length - at, at);
}

/** Overwrites the file itself: the only way through a bind mount, and it keeps inode, owner and mode. */
function writeInPlace(path: string, content: Buffer): void {
	const fd = openSync(path, 'r+');
	try {
		writeAll(fd, content);
		ftruncateSync(fd, content.length);
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
}

/** A sibling temp file with the original's mode and (when root may set it) owner, or null if the folder refuses it. */
function writeSibling(path: string, content: Buffer): string | null {
	const stat = statSync(path);
	const temp = join(dirname(path), `.${basename(path)}.kubebridge-${process.pid}-${randomBytes(4).toString('hex')}`);
	let fd: number;
	try {
		fd = openSync(temp, 'wx', stat.mode & 0o7777);
	} catch (error) {
		if (TEMP_REFUSED.has((error as NodeJS.ErrnoException).code ?? '')) return null;
		throw error;
	}
	try {
		if (process.getuid?.() === 0) fchownSync(fd, stat.uid, stat.gid);
		writeAll(fd, content);
		fsyncSync(fd);
	} catch (error) {
		closeSync(fd);
		unlinkSync(temp);
		throw error;
	}
	closeSync(fd);
	return temp;
}

/**
 * Replaces a writable hosts file's content. Normally a temp file in the same folder is
 * renamed over it, so a reader sees the old file or the new one, never half of one. A
 * bind-mounted file (Docker, `unshare -m`) cannot be renamed over, and a folder that takes
 * no new files leaves nothing else: those are written in place.
 */
export function replaceHostsFile(path: string, content: Buffer): WriteMode {
	if (isBindMounted(path)) {
		writeInPlace(path, content);
		return 'inPlace';
	}
	const temp = writeSibling(path, content);
	if (temp === null) {
		writeInPlace(path, content);
		return 'inPlace';
	}
	try {
		renameSync(temp, path);
		return 'atomic';
	} catch (error) {
		unlinkSync(temp);
		if (!IN_PLACE_ON_RENAME.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
		writeInPlace(path, content);
		return 'inPlace';
	}
}
