import { tmpdir } from 'node:os';
import { posix, win32 } from 'node:path';

/** The path rules of a platform, so Windows paths are built (and tested) alike on any machine. */
export const pathsOf = (platform: NodeJS.Platform): typeof posix => (platform === 'win32' ? win32 : posix);

/** A folder under the OS temp dir (`%TEMP%` on Windows, `$TMPDIR` or `/tmp` elsewhere, as Node finds it). */
export function underTemp(parts: string[], platform: NodeJS.Platform = process.platform, temp: string = tmpdir()): string {
	return pathsOf(platform).join(temp, ...parts);
}
