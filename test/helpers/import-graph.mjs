// The import graph of the sources, read from the files themselves (no compiler, no build):
// which file imports which, which folder of server/ leans on which, and where that graph
// has cycles. The layering test (test/unit/layout/) keeps the folders reading top-down.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export const REPO = resolve(new URL('../..', import.meta.url).pathname);

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

function sourcesUnder(folder) {
	return readdirSync(folder).flatMap((name) => {
		const path = join(folder, name);
		if (statSync(path).isDirectory()) return sourcesUnder(path);
		return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
	});
}

/** Every import of the TypeScript files under `folder` (repo-relative): `{ from, to }` with `to` a repo path or a package name. */
export function importsUnder(folder, repo = REPO) {
	const imports = [];
	for (const file of sourcesUnder(join(repo, folder))) {
		const from = relative(repo, file).split(sep).join('/');
		for (const [, specifier] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
			const to = specifier.startsWith('.')
				? relative(repo, resolve(dirname(file), specifier)).split(sep).join('/').replace(/\.js$/, '.ts')
				: specifier;
			imports.push({ from, to });
		}
	}
	return imports;
}

/**
 * The room of a file of server/: its first folder (`session`, `cluster`, …). A file right in
 * server/ stands alone (`errors.ts`), since those are the top (the server object) or the very
 * bottom (the error class) and a folder made of them would be a cycle by construction.
 */
export function roomOf(path) {
	const parts = path.replace(/^server\//, '').split('/');
	return parts.length === 1 ? parts[0] : `${parts[0]}/`;
}

/** Room → room → the imports that make that edge, for imports between two rooms of server/. */
export function roomEdges(imports) {
	const edges = new Map();
	for (const { from, to } of imports) {
		if (!from.startsWith('server/') || !to.startsWith('server/')) continue;
		const a = roomOf(from);
		const b = roomOf(to);
		if (a === b) continue;
		if (!edges.has(a)) edges.set(a, new Map());
		const out = edges.get(a);
		if (!out.has(b)) out.set(b, []);
		out.get(b).push(`${from} → ${to}`);
	}
	return edges;
}

/** The strongly connected groups of more than one room (Tarjan): each is a cycle between folders. */
export function cycles(edges) {
	const index = new Map();
	const low = new Map();
	const stack = [];
	const onStack = new Set();
	const found = [];
	let next = 0;
	const visit = (room) => {
		index.set(room, next);
		low.set(room, next);
		next += 1;
		stack.push(room);
		onStack.add(room);
		for (const to of edges.get(room)?.keys() ?? []) {
			if (!index.has(to)) {
				visit(to);
				low.set(room, Math.min(low.get(room), low.get(to)));
			} else if (onStack.has(to)) {
				low.set(room, Math.min(low.get(room), index.get(to)));
			}
		}
		if (low.get(room) !== index.get(room)) return;
		const group = [];
		let member;
		do {
			member = stack.pop();
			onStack.delete(member);
			group.push(member);
		} while (member !== room);
		if (group.length > 1) found.push(group.sort());
	};
	for (const room of edges.keys()) if (!index.has(room)) visit(room);
	return found;
}

/** A cycle as the imports that close it, so a failure names the files to move. */
export function describeCycle(group, edges) {
	const members = new Set(group);
	const lines = [];
	for (const a of group) {
		for (const [b, imports] of edges.get(a) ?? []) {
			if (members.has(b)) lines.push(`  ${a} → ${b}: ${imports.slice(0, 3).join(', ')}${imports.length > 3 ? ` (+${imports.length - 3})` : ''}`);
		}
	}
	return `${group.join(', ')}\n${lines.join('\n')}`;
}
