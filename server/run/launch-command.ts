import { resolve } from 'node:path';
import type { ConfigLaunch } from '../../protocol/index.js';
import { launchShell } from './launch-shell.js';

/** What to start and where, before the environment is known. */
export interface LaunchCommand {
	file: string;
	args: string[];
	/** The shell `file` runs through (see `launchShell`), or false for none. */
	shell: string | boolean;
	cwd: string;
}

/**
 * The program `kubebridge run` starts: the one typed after `--` (run as typed, in the
 * current directory), else the workspace file's `launch.command` (an array without a
 * shell, a string through the shell; in `launch.cwd` under the workspace folder); null
 * when neither names one.
 */
export function launchCommand(typed: readonly string[], launch: ConfigLaunch | undefined, workspaceFolder: string): LaunchCommand | null {
	if (typed.length > 0) return { file: typed[0]!, args: typed.slice(1), shell: false, cwd: process.cwd() };
	if (!launch) return null;
	const cwd = resolve(workspaceFolder, launch.cwd ?? '.');
	return typeof launch.command === 'string'
		? { file: launch.command, args: [], shell: launchShell(), cwd }
		: { file: launch.command[0]!, args: launch.command.slice(1), shell: false, cwd };
}
