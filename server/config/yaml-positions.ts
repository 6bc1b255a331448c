import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { SourcePosition } from './config-types.js';

/** JSON pointer `/a/0/b~1c` → ['a', '0', 'b/c']. */
function pointerSegments(pointer: string): string[] {
	return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/**
 * Where the node at a JSON pointer starts in the file; with `key`, where that key of the
 * mapping there is written. Falls back to the nearest ancestor that exists (a missing
 * field is reported at the mapping that lacks it).
 */
export function positionOf(document: Document, lineCounter: LineCounter, pointer: string, key?: string): SourcePosition {
	let node: Node | null = document.contents;
	let offset = node?.range?.[0] ?? 0;
	for (const segment of [...pointerSegments(pointer), ...(key === undefined ? [] : [key])]) {
		let child: Node | null = null;
		if (isMap(node)) {
			const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
			// The key's own place for the last step of `key`, the value's otherwise.
			const keyNode = pair && isScalar(pair.key) ? pair.key : null;
			child = segment === key && keyNode ? keyNode : ((pair?.value as Node | null | undefined) ?? keyNode);
		} else if (isSeq(node)) {
			child = (node.items[Number(segment)] as Node | undefined) ?? null;
		}
		if (!child?.range) break;
		node = child;
		offset = child.range[0];
	}
	const { line, col } = lineCounter.linePos(offset);
	return { line, column: col };
}
