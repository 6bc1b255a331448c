import { encodeVars } from './encode-vars.js';
import { NotRepresentable } from './export-errors.js';
import type { ExportOptions, ExportResult, ExportVar } from './export-types.js';

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Single quotes keep every byte but NUL; a quote inside closes, escapes and reopens. */
const singleQuoted = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

function exportLine({ name, value }: ExportVar): string {
	if (!SHELL_NAME.test(name)) throw new NotRepresentable(name, 'bash', 'a shell variable name has only letters, digits and _, and no leading digit');
	if (value.includes('\0')) throw new NotRepresentable(name, 'bash', 'the value contains a NUL character');
	return `export ${name}=${singleQuoted(value)}`;
}

/** A script to `source` in bash (or any POSIX shell). */
export function toBash(vars: readonly ExportVar[], options: ExportOptions = {}): ExportResult {
	const { encoded, omitted } = encodeVars(vars, options, exportLine);
	return { format: 'bash', text: encoded.map((line) => `${line}\n`).join(''), omitted };
}
