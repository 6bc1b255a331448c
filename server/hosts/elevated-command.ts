import { invalidHostsEntry } from './hosts-errors.js';

/**
 * The one command run with administrator rights, built only from validated paths and
 * arguments. On Linux sudo-prompt hands it to `bash -c "…"` escaping only double quotes,
 * so a POSIX path must also be inert inside double quotes: no `$`, backquote, backslash or
 * quote of any kind gets through. On Windows it lands in a .bat file, where `%` and `!`
 * expand even inside double quotes.
 */
export type ElevatedStep =
	| { kind: 'copy'; from: string; to: string }
	| { kind: 'run'; argv: string[] };

const POSIX_PATH = /^\/[\p{L}\p{N} _.,+=@:~/-]*$/u;
const WINDOWS_PATH = /^[A-Za-z]:\\[\p{L}\p{N} _.,+=@~()'\\[\]{}#$-]*$/u;
const ARGUMENT = /^[A-Za-z0-9_./:=+-]+$/;

export function quoteForSh(path: string): string {
	if (!POSIX_PATH.test(path)) throw invalidHostsEntry(`the path ${JSON.stringify(path)} into an elevated command`);
	return `'${path}'`;
}

export function quoteForCmd(path: string): string {
	if (!WINDOWS_PATH.test(path)) throw invalidHostsEntry(`the path ${JSON.stringify(path)} into an elevated command`);
	return `"${path}"`;
}

function argument(value: string): string {
	if (!ARGUMENT.test(value)) throw invalidHostsEntry(`the argument ${JSON.stringify(value)} into an elevated command`);
	return value;
}

/**
 * The steps as one command line. The copy writes into the existing file (cp, copy /B), so
 * the hosts file keeps its owner, mode and ACL; `&&` stops at the first failure.
 */
export function elevatedCommand(steps: ElevatedStep[], platform: NodeJS.Platform): string {
	const windows = platform === 'win32';
	return steps.map((step) => {
		if (step.kind === 'run') return step.argv.map(argument).join(' ');
		return windows
			? `copy /Y /B ${quoteForCmd(step.from)} ${quoteForCmd(step.to)}`
			: `cp ${quoteForSh(step.from)} ${quoteForSh(step.to)}`;
	}).join(' && ');
}
