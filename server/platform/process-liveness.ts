/**
 * Whether a process still runs. A process of another user answers EPERM to signal 0, yet it
 * is alive: only ESRCH means gone. A reused pid reads as alive; that errs on the side of
 * keeping what another process may own.
 */
export function isProcessAlive(pid: number): boolean {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
