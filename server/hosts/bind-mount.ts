import { readFileSync, realpathSync } from 'node:fs';

/** Mount points from /proc/self/mountinfo (the fifth field; spaces and the like are octal escapes). */
export function mountPoints(mountinfo: string): string[] {
	return mountinfo.split('\n').filter(Boolean)
		.map((line) => line.split(' ')[4] ?? '')
		.map((point) => point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
}

/**
 * Whether the file is itself a mount point, as /etc/hosts is in a Docker container or under
 * `unshare -m` with a bind mount: renaming over it fails (EBUSY), so it is written in place.
 */
export function isBindMounted(path: string): boolean {
	if (process.platform !== 'linux') return false;
	try {
		return mountPoints(readFileSync('/proc/self/mountinfo', 'utf8')).includes(realpathSync(path));
	} catch {
		return false;
	}
}
