import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';

/** Kernel file systems a container gets without any volume; never served as files. */
const PSEUDO_FS = new Set(['proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts', 'devtmpfs', 'mqueue', 'securityfs', 'debugfs', 'tracefs', 'bpf', 'pstore', 'binfmt_misc']);
const SYSTEM_TREES = ['/proc', '/sys', '/dev'];

/** mountinfo writes space, tab, newline and backslash as octal escapes. */
const unescape = (field: string): string => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/** Whether `path` is `root` or lies under it (both absolute and normalised). */
export const within = (path: string, root: string): boolean => path === root || path.startsWith(root === '/' ? '/' : `${root}/`);

/**
 * The mount points of the container's volumes, from `/proc/self/mountinfo` text: every
 * mount but the root file system, the kernel's pseudo file systems and what lives under
 * /proc, /sys and /dev. The agent serves files under these only, so the session token
 * opens the volumes the container was given and nothing of the agent's own image.
 */
export function volumeMountPoints(mountinfo: string): string[] {
	const points: string[] = [];
	for (const line of mountinfo.split('\n')) {
		const [left, right] = line.split(' - ');
		const fields = left?.split(' ') ?? [];
		const mountPoint = fields[4];
		const fsType = right?.split(' ')[0];
		if (!mountPoint || !fsType || PSEUDO_FS.has(fsType)) continue;
		const path = unescape(mountPoint);
		if (path === '/' || SYSTEM_TREES.some((tree) => within(path, tree))) continue;
		points.push(path);
	}
	return points;
}

export async function readVolumeMountPoints(): Promise<string[]> {
	return volumeMountPoints(await readFile('/proc/self/mountinfo', 'utf8'));
}

/** `path` normalised, when it is absolute and at or under one of `mountPoints`; else null. */
export function underMountPoint(path: string, mountPoints: string[]): string | null {
	if (!path.startsWith('/')) return null;
	const normal = posix.normalize(path).replace(/(.)\/$/, '$1');
	return mountPoints.some((point) => within(normal, point)) ? normal : null;
}
