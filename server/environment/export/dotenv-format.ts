import { encodeVars } from './encode-vars.js';
import { NotRepresentable } from './export-errors.js';
import type { ExportOptions, ExportResult, ExportVar } from './export-types.js';

// What the dotenv family of parsers accepts as a key.
const DOTENV_KEY = /^[\w.-]+$/;

/**
 * One `KEY=value` line that the `dotenv` parser reads back exactly. Single and backtick
 * quotes take the value verbatim (new lines included) but can contain neither their own
 * quote nor a carriage return (the parser turns CRLF into LF first); double quotes turn
 * `\n` and `\r` into line breaks, so they carry carriage returns but not a literal
 * backslash before n or r. A value ending in a backslash would read as an escaped closing
 * quote in every form.
 */
function dotenvLine({ name, value }: ExportVar): string {
	if (!DOTENV_KEY.test(name)) throw new NotRepresentable(name, 'dotenv', 'a .env key has only letters, digits, _, . and -');
	if (value.endsWith('\\')) throw new NotRepresentable(name, 'dotenv', 'the value ends with a backslash');
	for (const quote of ["'", '`']) {
		if (!value.includes(quote) && !value.includes('\r')) return `${name}=${quote}${value}${quote}`;
	}
	if (!value.includes('"') && !/\\[nr]/.test(value)) return `${name}="${value.replaceAll('\n', '\\n').replaceAll('\r', '\\r')}"`;
	throw new NotRepresentable(name, 'dotenv', 'the value mixes quote characters with carriage returns or backslash escapes that no .env quoting keeps');
}

/** A `.env` file, LF line endings, one variable a line. */
export function toDotenv(vars: readonly ExportVar[], options: ExportOptions = {}): ExportResult {
	const { encoded, omitted } = encodeVars(vars, options, dotenvLine);
	return { format: 'dotenv', text: encoded.map((line) => `${line}\n`).join(''), omitted };
}
