import type { TSchema } from '@sinclair/typebox';
import { validatorOf } from './compiled.js';

type Node = TSchema & { type?: string; anyOf?: Node[]; items?: Node; properties?: Record<string, Node>; additionalProperties?: Node | boolean };

const wantsObject = (schema: Node): boolean =>
	schema.type === 'object' || (schema.anyOf !== undefined && schema.anyOf.some(wantsObject) && !schema.anyOf.some((o) => o.type === 'array'));

/**
 * Lua has one table type, so Neovim's client encodes an empty table as `[]`: where only an
 * object fits, an empty array says the same as `{}` and is read as one. Anything else is
 * returned as it is, for validation to judge.
 */
export function emptyArraysAsObjects(schema: Node, value: unknown): unknown {
	if (Array.isArray(value)) {
		if (value.length === 0 && wantsObject(schema)) return {};
		return schema.type === 'array' && schema.items ? value.map((item) => emptyArraysAsObjects(schema.items!, item)) : value;
	}
	if (typeof value !== 'object' || value === null) return value;
	if (schema.anyOf) {
		for (const option of schema.anyOf) {
			const read = emptyArraysAsObjects(option, value);
			if (validatorOf(option)(read)) return read;
		}
		return value;
	}
	if (schema.type !== 'object') return value;
	const valuesSchema = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
	return Object.fromEntries(Object.entries(value).map(([key, item]) => {
		const inner = schema.properties && Object.hasOwn(schema.properties, key) ? schema.properties[key] : valuesSchema;
		return [key, inner ? emptyArraysAsObjects(inner, item) : item];
	}));
}
