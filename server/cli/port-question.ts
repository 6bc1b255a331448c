import { createInterface } from 'node:readline/promises';
import type { ConfirmFreePortParams } from '../../protocol/index.js';

/** Whether the user lets kubebridge stop the processes holding a port a service needs. */
export type PortQuestion = (params: ConfirmFreePortParams) => Promise<boolean>;

interface Terminal {
	input: NodeJS.ReadableStream & { isTTY?: boolean };
	output: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * Asks on the terminal, or null when there is none to ask on (stdin or stderr is not a
 * terminal): a script or CI must never block on a question nobody sees. Anything but a
 * yes is a no, so Enter keeps the other process running.
 */
export function terminalPortQuestion({ input, output }: Terminal = { input: process.stdin, output: process.stderr }): PortQuestion | null {
	if (!input.isTTY || !output.isTTY) return null;
	return async (params) => {
		const terminal = createInterface({ input, output });
		try {
			return /^\s*y(es)?\s*$/i.test(await terminal.question(`${params.message} [y/N] `));
		} finally {
			terminal.close();
		}
	};
}
