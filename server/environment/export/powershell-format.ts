import { encodeVars } from './encode-vars.js';
import { NotRepresentable } from './export-errors.js';
import type { ExportOptions, ExportResult, ExportVar } from './export-types.js';

const SIMPLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// PowerShell reads the typographic quotes as quotes too.
const SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;
const DOUBLE_QUOTE_SPECIALS = /[`"\u201C\u201D\u201E$]/g;
const CONTROL_ESCAPES: Record<string, string> = { '\0': '`0', '\x07': '`a', '\b': '`b', '\f': '`f', '\n': '`n', '\r': '`r', '\t': '`t', '\v': '`v' };

/**
 * A PowerShell string literal for any text: single-quoted (nothing expands; quotes are
 * doubled) unless it holds control characters, which a script file could not keep intact
 * through editors and line-ending changes; those go double-quoted with backtick escapes.
 */
function powershellString(text: string): string {
	if (!/[\0-\x1f\x7f]/.test(text)) return `'${text.replace(SINGLE_QUOTES, (quote) => quote + quote)}'`;
	let out = '';
	for (const char of text) {
		if (CONTROL_ESCAPES[char]) out += CONTROL_ESCAPES[char];
		// Windows PowerShell 5.1 has no `u{} escape; a subexpression works in every version.
		else if (/[\0-\x1f\x7f]/.test(char)) out += `$([char]0x${char.charCodeAt(0).toString(16)})`;
		else out += char.replace(DOUBLE_QUOTE_SPECIALS, (special) => `\`${special}`);
	}
	return `"${out}"`;
}

function assignment({ name, value }: ExportVar): string {
	// Setting an empty value removes the variable in .NET, so it cannot be carried.
	if (value === '') throw new NotRepresentable(name, 'powershell', 'an empty value removes the variable');
	if (value.includes('\0')) throw new NotRepresentable(name, 'powershell', 'the value contains a NUL character');
	if (SIMPLE_NAME.test(name)) return `$env:${name} = ${powershellString(value)}`;
	return `[Environment]::SetEnvironmentVariable(${powershellString(name)}, ${powershellString(value)})`;
}

/**
 * A script to dot-source in PowerShell. It starts with a byte order mark, which Windows
 * PowerShell 5.1 needs to read a script as UTF-8, and uses CRLF line endings.
 */
export function toPowershell(vars: readonly ExportVar[], options: ExportOptions = {}): ExportResult {
	const { encoded, omitted } = encodeVars(vars, options, assignment);
	return { format: 'powershell', text: `\uFEFF${encoded.map((line) => `${line}\r\n`).join('')}`, omitted };
}
