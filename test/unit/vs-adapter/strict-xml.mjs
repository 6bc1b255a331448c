// A small strict XML 1.0 reader for tests: it accepts only well-formed documents (one root,
// matched tags, quoted and unique attributes, known or numeric entities, no stray `<` or `&`)
// and returns the element tree. No XML parser is among the project's packages, and a
// settings file Visual Studio cannot load must fail here first.
const NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*/;
const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text, where) {
	if (/<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text)) throw new Error(`stray '<' or '&' ${where}`);
	return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, e) =>
		e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENTITIES[e]);
}

export function parseStrictXml(source) {
	let i = 0;
	const fail = (message) => { throw new Error(`${message} at offset ${i}`); };
	const skipSpace = () => { while (/\s/.test(source[i] ?? '')) i++; };
	const skipMisc = () => {
		for (;;) {
			skipSpace();
			if (source.startsWith('<!--', i)) {
				const end = source.indexOf('-->', i + 4);
				if (end < 0) fail('unterminated comment');
				i = end + 3;
			} else if (source.startsWith('<?', i)) {
				const end = source.indexOf('?>', i + 2);
				if (end < 0) fail('unterminated processing instruction');
				i = end + 2;
			} else return;
		}
	};
	const readName = () => {
		const match = NAME.exec(source.slice(i));
		if (!match) fail('expected a name');
		i += match[0].length;
		return match[0];
	};
	const readElement = () => {
		if (source[i] !== '<') fail("expected '<'");
		i++;
		const element = { name: readName(), attributes: {}, children: [], text: '' };
		for (;;) {
			const before = i;
			skipSpace();
			if (source.startsWith('/>', i)) { i += 2; return element; }
			if (source[i] === '>') { i++; break; }
			if (i === before) fail('expected whitespace before an attribute');
			const name = readName();
			if (name in element.attributes) fail(`duplicate attribute ${name}`);
			skipSpace();
			if (source[i] !== '=') fail("expected '='");
			i++;
			skipSpace();
			const quote = source[i];
			if (quote !== '"' && quote !== "'") fail('attribute value not quoted');
			const end = source.indexOf(quote, i + 1);
			if (end < 0) fail('unterminated attribute value');
			element.attributes[name] = decode(source.slice(i + 1, end), `in attribute ${name}`);
			i = end + 1;
		}
		for (;;) {
			const next = source.indexOf('<', i);
			if (next < 0) fail(`unclosed element ${element.name}`);
			element.text += decode(source.slice(i, next), `in ${element.name}`);
			i = next;
			if (source.startsWith('</', i)) {
				i += 2;
				const name = readName();
				if (name !== element.name) fail(`</${name}> closes <${element.name}>`);
				skipSpace();
				if (source[i] !== '>') fail("expected '>'");
				i++;
				return element;
			}
			if (source.startsWith('<!--', i)) { skipMisc(); continue; }
			element.children.push(readElement());
		}
	};
	if (source.charCodeAt(0) === 0xfeff) i = 1;
	if (source.startsWith('<?xml', i) && !/^<\?xml version="1\.[0-9]"( encoding="[A-Za-z0-9._-]+")?\s*\?>/.test(source.slice(i))) fail('bad XML declaration');
	skipMisc();
	const root = readElement();
	skipMisc();
	if (i !== source.length) fail('content after the root element');
	return root;
}

export const childrenNamed = (element, name) => element.children.filter((c) => c.name === name);
