import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { positionAt, projectFileInvalid, type FilePosition } from '../errors.js';
import type { TextFile } from './text-file.js';

/** Visual Studio writes JSON with comments and, by hand, trailing commas; both are read as it reads them. */
const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false };

/** A parsed JSON-with-comments file whose nodes keep their offsets, for edits and error positions. */
export interface JsoncDocument {
	file: TextFile;
	root: Node;
}

export function parseJsonc(file: TextFile): JsoncDocument {
	const errors: ParseError[] = [];
	const root = parseTree(file.text, errors, PARSE_OPTIONS);
	const first = errors[0];
	if (first) {
		throw projectFileInvalid(file.path, `${describeParseError(first)}.`, positionAt(file.text, first.offset));
	}
	if (!root) throw projectFileInvalid(file.path, 'the file is empty; it should hold a JSON object.');
	if (root.type !== 'object') {
		throw projectFileInvalid(file.path, `expected a JSON object at the top, found ${root.type}.`, positionAt(file.text, root.offset));
	}
	return { file, root };
}

function describeParseError(error: ParseError): string {
	// The library's names (e.g. CommaExpected) read as words once split.
	return printParseErrorCode(error.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

export function positionOf(doc: JsoncDocument, node: Node): FilePosition {
	return positionAt(doc.file.text, node.offset);
}

/** The node at a path, checked to be of the type the caller needs; absent is `undefined`. */
export function nodeOfType(doc: JsoncDocument, path: (string | number)[], type: Node['type'], what: string): Node | undefined {
	const node = findNodeAtLocation(doc.root, path);
	if (node === undefined) return undefined;
	if (node.type !== type) {
		throw projectFileInvalid(doc.file.path, `${what} should be ${type === 'object' ? 'an object' : `a ${type}`}, found ${node.type}.`, positionOf(doc, node));
	}
	return node;
}

/** An object node's properties as [name, value node, property node] triples, in file order. */
export function properties(node: Node): [string, Node, Node][] {
	const out: [string, Node, Node][] = [];
	for (const property of node.children ?? []) {
		const [key, value] = property.children ?? [];
		if (key && value && typeof key.value === 'string') out.push([key.value, value, property]);
	}
	return out;
}

/** A string property of an object node, `null` when absent or of another type. */
export function stringProperty(node: Node, name: string): string | null {
	const found = properties(node).find(([key]) => key === name)?.[1];
	return found?.type === 'string' ? (found.value as string) : null;
}
