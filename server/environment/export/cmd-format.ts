import { encodeVars } from './encode-vars.js';
import { NotRepresentable } from './export-errors.js';
import type { ExportOptions, ExportResult, ExportVar } from './export-types.js';

// Outside quotes, cmd reads these as operators unless a caret escapes them.
const OPERATORS = new Set(['^', '&', '|', '<', '>', '(', ')']);

/**
 * The text between `set "` and the closing quote, so that cmd reading a batch file ends up
 * with exactly `text`: `%` is doubled (percent expansion runs first, quotes or not), and
 * every quote inside the value flips cmd's quoted state, after which operators need a caret
 * until the next quote flips it back. SET itself keeps everything up to the last quote.
 */
function cmdQuoted(text: string): string {
	let out = '';
	let quoted = true;
	for (const char of text) {
		if (char === '%') out += '%%';
		else if (char === '"') {
			out += char;
			quoted = !quoted;
		} else out += !quoted && OPERATORS.has(char) ? `^${char}` : char;
	}
	return out;
}

function setLine({ name, value }: ExportVar): string {
	if (/[\r\n]/.test(value)) throw new NotRepresentable(name, 'cmd', 'cmd has no way to put a line break in a variable');
	if (value.includes('\0')) throw new NotRepresentable(name, 'cmd', 'the value contains a NUL character');
	if (value === '') throw new NotRepresentable(name, 'cmd', 'set with an empty value removes the variable');
	if (name === '' || /["=\r\n]/.test(name)) throw new NotRepresentable(name, 'cmd', 'a cmd variable name cannot contain quotes, = or line breaks');
	return `set "${cmdQuoted(name)}=${cmdQuoted(value)}"`;
}

/**
 * A batch file to `call` from cmd. It assumes delayed expansion is off (cmd's default);
 * with it on, `!` in values would be expanded. Non-ASCII text needs the UTF-8 code page,
 * which the script switches to when a value has any.
 */
export function toCmd(vars: readonly ExportVar[], options: ExportOptions = {}): ExportResult {
	const { encoded, omitted } = encodeVars(vars, options, setLine);
	const needsUtf8 = encoded.some((line) => /[^\x00-\x7f]/.test(line));
	const lines = ['@echo off', ...(needsUtf8 ? ['chcp 65001 >nul'] : []), ...encoded];
	return { format: 'cmd', text: lines.map((line) => `${line}\r\n`).join(''), omitted };
}
