import { invalidHostsEntry } from './hosts-errors.js';
import { assertHostName, assertLoopbackAddress } from './host-names.js';

/**
 * kubebridge's block in a hosts file, as pure text edits. The text is the file's bytes read
 * as latin1 (one char per byte), so whatever surrounds the block — a BOM, CRLF or mixed
 * endings, a missing final newline, another encoding — is written back byte for byte.
 *
 *     # >>> kubebridge session=<id> pid=<pid>: cluster names, removed when the session ends
 *     127.1.4.17 orders
 *     127.1.4.17 orders.shop
 *     # <<< kubebridge session=<id>
 *
 * One name per line: Windows reads only a few aliases per line and glibc caps them.
 */
export interface HostsEntry {
	address: string;
	names: string[];
}

export interface BlockOwner {
	sessionId: string;
	pid: number;
}

export interface FoundBlock extends BlockOwner {
	entries: HostsEntry[];
}

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BEGIN = /^# >>> kubebridge session=([A-Za-z0-9._-]+) pid=(\d+)(?=[:\s]|$)/;
const END = /^# <<< kubebridge session=([A-Za-z0-9._-]+)\s*$/;

interface Line {
	start: number;
	/** The line without its ending. */
	text: string;
	/** Where its ending starts; equals `end` on a last line without one. */
	eolStart: number;
	end: number;
}

function splitLines(content: string): Line[] {
	const lines: Line[] = [];
	let start = 0;
	while (start < content.length) {
		const newline = content.indexOf('\n', start);
		const end = newline === -1 ? content.length : newline + 1;
		const eolStart = newline === -1 ? end : newline > start && content[newline - 1] === '\r' ? newline - 1 : newline;
		lines.push({ start, text: content.slice(start, eolStart), eolStart, end });
		start = end;
	}
	return lines;
}

/** The file's own line ending, so a CRLF file stays CRLF; `fallback` for a file without any. */
export function lineEnding(content: string, fallback: '\n' | '\r\n'): '\n' | '\r\n' {
	const newline = content.indexOf('\n');
	if (newline === -1) return fallback;
	return content[newline - 1] === '\r' ? '\r\n' : '\n';
}

interface Span extends FoundBlock {
	first: number;
	last: number;
}

function blockSpans(lines: Line[]): Span[] {
	const spans: Span[] = [];
	for (let i = 0; i < lines.length; i++) {
		const begin = BEGIN.exec(lines[i]!.text);
		if (!begin) continue;
		const sessionId = begin[1]!;
		const last = lines.findIndex((line, j) => j > i && END.exec(line.text)?.[1] === sessionId);
		// A begin line without its end is not ours to cut: it is left as it is.
		if (last === -1) continue;
		const entries = new Map<string, string[]>();
		for (const line of lines.slice(i + 1, last)) {
			const [address, ...names] = line.text.trim().split(/\s+/);
			if (address && !address.startsWith('#') && names.length > 0) entries.set(address, [...(entries.get(address) ?? []), ...names]);
		}
		spans.push({ sessionId, pid: Number(begin[2]), first: i, last,
			entries: [...entries].map(([address, names]) => ({ address, names })) });
		i = last;
	}
	return spans;
}

/** Every complete kubebridge block in the file. */
export function findBlocks(content: string): FoundBlock[] {
	return blockSpans(splitLines(content)).map(({ sessionId, pid, entries }) => ({ sessionId, pid, entries }));
}

/**
 * The content without the blocks `drop` selects. A block ending the file without a final
 * newline was added after a line ending of its own (see {@link withBlock}); that ending
 * goes with it.
 */
export function withoutBlocks(content: string, drop: (block: FoundBlock) => boolean): string {
	// One block at a time: cutting one can move the line ending the next cut depends on.
	for (let result = content; ;) {
		const lines = splitLines(result);
		const span = blockSpans(lines).find(drop);
		if (!span) return result;
		const last = lines[span.last]!;
		const atEndWithoutNewline = last.eolStart === last.end && span.first > 0;
		const from = atEndWithoutNewline ? lines[span.first - 1]!.eolStart : lines[span.first]!.start;
		result = result.slice(0, from) + result.slice(last.end);
	}
}

function renderBlock(owner: BlockOwner, entries: HostsEntry[], eol: string): string {
	if (!SESSION_ID.test(owner.sessionId)) throw invalidHostsEntry(`the session id ${JSON.stringify(owner.sessionId)}`);
	if (!Number.isInteger(owner.pid) || owner.pid <= 0) throw invalidHostsEntry(`the pid ${owner.pid}`);
	const lines = [`# >>> kubebridge session=${owner.sessionId} pid=${owner.pid}: cluster names, removed when the session ends`];
	for (const { address, names } of entries) {
		assertLoopbackAddress(address);
		for (const name of names) {
			assertHostName(name);
			lines.push(`${address} ${name}`);
		}
	}
	lines.push(`# <<< kubebridge session=${owner.sessionId}`);
	return lines.join(eol);
}

/**
 * The content with the owner's block (replacing one it had) at the end. After a last line
 * without a newline the block starts with a line ending and ends without one, so removing
 * it gives back the original bytes.
 */
export function withBlock(content: string, owner: BlockOwner, entries: HostsEntry[], fallbackEol: '\n' | '\r\n'): string {
	const rest = withoutBlocks(content, (b) => b.sessionId === owner.sessionId);
	const eol = lineEnding(rest, fallbackEol);
	const block = renderBlock(owner, entries, eol);
	if (rest === '' || rest.endsWith('\n')) return rest + block + eol;
	// A last line ending in a lone CR would merge with an LF into one CRLF ending, and the
	// CR would go with the block on removal: CRLF keeps that CR on the line it belongs to.
	return rest + (rest.endsWith('\r') ? '\r\n' : eol) + block;
}
