import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { win32 } from 'node:path';

/** Runs a program to its end, throwing when it fails; the seam unit tests replace. */
export type ProgramRunner = (file: string, args: string[]) => void;

const runProgram: ProgramRunner = (file, args) => {
	execFileSync(file, args, { stdio: ['ignore', 'ignore', 'pipe'], windowsHide: true, timeout: 30_000 });
};

export interface PrivateFolderOptions {
	/** Create missing parents too (they stay as the OS makes them; only `folder` is made private). */
	recursive?: boolean;
	platform?: NodeJS.Platform;
	env?: NodeJS.ProcessEnv;
	run?: ProgramRunner;
}

/** The signed-in account as Windows names it: `DOMAIN\user` (the machine's name for a local account). */
export function currentAccount(env: NodeJS.ProcessEnv = process.env): string {
	const user = env.USERNAME || userInfo().username;
	return env.USERDOMAIN ? `${env.USERDOMAIN}\\${user}` : user;
}

/**
 * The icacls command that leaves a folder to the current account alone: what it inherited
 * from above removed (`/inheritance:r`), replaced by one full-control entry that everything
 * created in it later inherits (`(OI)(CI)`). icacls is named by its full path, so no
 * program of the same name earlier on PATH runs instead.
 */
export function ownerOnlyAcl(folder: string, env: NodeJS.ProcessEnv = process.env): { file: string; args: string[] } {
	return {
		file: win32.join(env.SystemRoot ?? env.windir ?? 'C:\\Windows', 'System32', 'icacls.exe'),
		args: [folder, '/inheritance:r', '/grant:r', `${currentAccount(env)}:(OI)(CI)F`, '/q'],
	};
}

/**
 * Creates a folder for files that hold secrets, which only its owner may open: mode 0700
 * where modes count; on Windows, which ignores the mode, an owner-only ACL, set when the
 * folder is created (a folder that was there already keeps its ACL). Throws when the
 * folder cannot be made private, so no secret is written into a folder others can read.
 */
export function makePrivateFolder(folder: string, options: PrivateFolderOptions = {}): void {
	const { recursive = true, platform = process.platform, env = process.env, run = runProgram } = options;
	const created = recursive ? mkdirSync(folder, { recursive: true, mode: 0o700 }) !== undefined : (mkdirSync(folder, { mode: 0o700 }), true);
	if (!created || platform !== 'win32') return;
	const { file, args } = ownerOnlyAcl(folder, env);
	try {
		run(file, args);
	} catch (error) {
		const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
		throw new Error(`Could not make ${folder} readable by its owner only (icacls: ${stderr || (error as Error).message}).`);
	}
}
