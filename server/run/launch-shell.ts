import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where bash usually is when PATH does not say. */
const USUAL_BASH = ['/bin/bash', '/usr/bin/bash', '/usr/local/bin/bash', '/opt/homebrew/bin/bash'];

/**
 * The shell a launch command written as one string runs through. A container's env var
 * names may hold a dot or a dash (`envFrom` keys such as `settings.json`), and dash, the
 * `/bin/sh` of Debian and Ubuntu, drops every variable whose name is not a shell
 * identifier before it starts the program; bash hands them on. So bash when there is one,
 * else `/bin/sh`. On Windows, Node's default (cmd.exe), which keeps every name.
 */
export function launchShell(platform: NodeJS.Platform = process.platform, path = process.env.PATH ?? '',
	exists: (file: string) => boolean = existsSync): string | true {
	if (platform === 'win32') return true;
	const candidates = [...path.split(delimiter).filter(Boolean).map((folder) => join(folder, 'bash')), ...USUAL_BASH];
	return candidates.find(exists) ?? '/bin/sh';
}

/** The names a launch command's shell may drop: with `/bin/sh` (no bash found), those that are not shell identifiers. */
export function namesShellMayDrop(shell: string | boolean, names: readonly string[]): string[] {
	return shell === '/bin/sh' ? names.filter((name) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) : [];
}
