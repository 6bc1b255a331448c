/** A command line split where the program handed over begins. */
export interface ProgramWords {
	/** kubebridge's own words: the command and its options, for yargs to parse. */
	own: string[];
	/** The words after the first `--`, exactly as typed; empty when there is none. */
	program: string[];
}

/**
 * Splits the command line at its first `--`. The program's words never go through yargs:
 * its parser turns `-0` into `0` and `0x10` into `16` even after `--`, and a program's
 * arguments are its own to read.
 */
export function splitProgramWords(argv: readonly string[]): ProgramWords {
	const at = argv.indexOf('--');
	return at < 0 ? { own: [...argv], program: [] } : { own: argv.slice(0, at), program: argv.slice(at + 1) };
}
