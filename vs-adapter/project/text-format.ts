import type { FormattingOptions } from 'jsonc-parser';

/** The line ending most lines of the text use; `fallback` when it has no line break. */
function detectEol(text: string, fallback: '\n' | '\r\n'): '\n' | '\r\n' {
	const crlf = text.split('\r\n').length - 1;
	const lf = text.split('\n').length - 1 - crlf;
	if (crlf === 0 && lf === 0) return fallback;
	return crlf >= lf ? '\r\n' : '\n';
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * How the file indents, so an inserted profile looks as if the same hand wrote it: tabs
 * when indented lines start with a tab, else spaces in steps of the greatest common divisor
 * of the indent widths (2 in the ASP.NET templates, 4 in many hand-written files).
 */
export function detectFormatting(text: string, fallbackEol: '\n' | '\r\n'): FormattingOptions {
	const eol = detectEol(text, fallbackEol);
	let tabs = 0;
	let spaces = 0;
	let step = 0;
	for (const line of text.split(/\r?\n/)) {
		const indent = /^[ \t]+(?=\S)/.exec(line)?.[0];
		if (!indent) continue;
		if (indent[0] === '\t') {
			tabs++;
		} else {
			spaces++;
			step = gcd(step, indent.length);
		}
	}
	if (tabs > spaces) return { insertSpaces: false, tabSize: 4, eol };
	return { insertSpaces: true, tabSize: step > 0 ? step : 2, eol };
}
