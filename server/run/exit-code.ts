import { constants } from 'node:os';

/** The shell's convention for a program that could not be started (not found, not executable). */
export const NOT_STARTED_EXIT_CODE = 127;

/** A child's exit status as a shell reports it: its code, or 128 + the signal's number when a signal ended it. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
	if (code !== null) return code;
	const number = signal ? constants.signals[signal] : undefined;
	return number === undefined ? 1 : 128 + number;
}
