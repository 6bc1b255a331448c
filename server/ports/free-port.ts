import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findPortHolders } from './port-holders.js';
import type { PortHolder } from './port-holder-types.js';
import { localPortInUse } from './port-errors.js';
import { pollUntil } from '../platform/poll.js';
import { isProcessAlive } from '../platform/process-liveness.js';

const run = promisify(execFile);

export interface FreePortOptions {
	/** How long a holder has to exit after the polite request before it is killed. */
	graceMs?: number;
	platform?: NodeJS.Platform;
}

/** What freeing a port did to each process that held it. */
export interface Terminated {
	pid: number;
	how: 'exited' | 'killed';
}

/**
 * The Windows commands to stop a process: first politely (taskkill without /F asks the
 * process to close), then by force. Console programs ignore the polite form.
 */
export function windowsStopCommands(pid: number): { polite: string[]; force: string[] } {
	return { polite: ['taskkill', '/PID', String(pid)], force: ['taskkill', '/PID', String(pid), '/F'] };
}

const exited = (pid: number, withinMs: number): Promise<boolean> => pollUntil(() => !isProcessAlive(pid), { everyMs: 50, withinMs });

async function stop(pid: number, graceMs: number, platform: NodeJS.Platform): Promise<Terminated> {
	const windows = windowsStopCommands(pid);
	const ask = platform === 'win32'
		? () => run(windows.polite[0]!, windows.polite.slice(1)).then(() => undefined, () => undefined)
		: async () => { process.kill(pid, 'SIGTERM'); };
	const force = platform === 'win32'
		? () => run(windows.force[0]!, windows.force.slice(1)).then(() => undefined)
		: async () => { process.kill(pid, 'SIGKILL'); };
	await ask();
	if (await exited(pid, graceMs)) return { pid, how: 'exited' };
	await force();
	if (await exited(pid, 5_000)) return { pid, how: 'killed' };
	throw new Error(`pid ${pid} is still running after it was killed`);
}

/**
 * Ends the processes holding a port: SIGTERM (or taskkill), then SIGKILL (taskkill /F) after
 * the grace period. Only for holders the user agreed to stop; kubebridge itself and pids
 * 0 and 1 are never touched. Fails with `localPortInUse` if the port is still held.
 */
export async function freePort(address: string, port: number, holders: PortHolder[], options: FreePortOptions = {}): Promise<Terminated[]> {
	const platform = options.platform ?? process.platform;
	const pids = [...new Set(holders.map((h) => h.pid))];
	const unstoppable = holders.filter((h) => h.pid === null || h.pid <= 1 || h.pid === process.pid);
	if (unstoppable.length > 0) throw localPortInUse(address, port, unstoppable);
	const done = await Promise.all(pids.map((pid) => stop(pid as number, options.graceMs ?? 3_000, platform)));
	const still = await findPortHolders(port, address, platform);
	if (still.length > 0) throw localPortInUse(address, port, still);
	return done;
}
