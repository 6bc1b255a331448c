/**
 * `$(VAR)` expansion with the kubelet's exact rules (its forked `expansion` package):
 * `$$` is one literal `$`; `$(NAME)` is replaced when `lookup` knows NAME and kept as
 * written when not; a `$(` with no closing `)` and a `$` before anything else stay as they
 * are. There is no nesting: the text up to the first `)` is the name.
 *
 * `lookup` answers undefined for an unknown name.
 */
export function expandReferences(input: string, lookup: (name: string) => string | undefined): string {
	let out = '';
	let checkpoint = 0;
	for (let cursor = 0; cursor < input.length; cursor++) {
		if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
		out += input.slice(checkpoint, cursor);
		const next = input[cursor + 1];
		let advance: number;
		if (next === '$') {
			out += '$';
			advance = 1;
		} else if (next === '(') {
			const close = input.indexOf(')', cursor + 2);
			if (close === -1) {
				out += '$(';
				advance = 1;
			} else {
				const name = input.slice(cursor + 2, close);
				out += lookup(name) ?? `$(${name})`;
				advance = close - cursor;
			}
		} else {
			// The kubelet copies the operator and the following character through unchanged;
			// a surrogate pair counts as one character there, so it is kept whole here.
			const width = (next.codePointAt(0) ?? 0) > 0xffff ? 2 : 1;
			out += input.slice(cursor, cursor + 1 + width);
			advance = width;
		}
		cursor += advance;
		checkpoint = cursor + 1;
	}
	return out + input.slice(checkpoint);
}
