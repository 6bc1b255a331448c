import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

/** A file kubebridge will not read: not a regular file, or bigger than the caller allows. */
class FileRefused extends Error {}

/**
 * A regular file's bytes, refusing anything else before reading it: a directory, a
 * device (a symlink to /dev/zero would never end), a named pipe (opened without waiting
 * for a writer) and a file past `maxBytes`. Symlinks are followed. System errors (ENOENT,
 * ELOOP, ...) are thrown as they come, for the caller to type.
 */
export function readRegularFile(path: string, maxBytes: number): Buffer {
	const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
	try {
		const stat = fstatSync(fd);
		if (!stat.isFile()) throw new FileRefused('it is not a regular file (a directory, device or pipe)');
		if (stat.size > maxBytes) throw new FileRefused(`it is ${stat.size} bytes; at most ${maxBytes} are read`);
		return readFileSync(fd);
	} finally {
		closeSync(fd);
	}
}
