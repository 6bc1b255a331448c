import type { Schema } from '../../protocol/index.js';
import { invalidParams } from './errors.js';

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return `a ${typeof value}`;
}

function escapePointer(key: string): string {
	return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The first mismatch between `value` and `schema`, as [JSON pointer, message], or null. */
export function findMismatch(schema: Schema, value: unknown, path = ''): [string, string] | null {
	const at = path || '/';
	switch (schema.kind) {
		case 'string':
			if (typeof value !== 'string') return [at, `expected a string, got ${describe(value)}`];
			if (schema.minLength !== undefined && value.length < schema.minLength) return [at, 'must not be empty'];
			if (schema.enum && !schema.enum.includes(value)) return [at, `expected one of ${schema.enum.map((v) => `'${v}'`).join(', ')}`];
			return null;
		case 'integer':
			if (typeof value !== 'number' || !Number.isInteger(value)) return [at, `expected an integer, got ${describe(value)}`];
			if (schema.minimum !== undefined && value < schema.minimum) return [at, `must be at least ${schema.minimum}`];
			if (schema.maximum !== undefined && value > schema.maximum) return [at, `must be at most ${schema.maximum}`];
			return null;
		case 'boolean':
			return typeof value === 'boolean' ? null : [at, `expected a boolean, got ${describe(value)}`];
		case 'null':
			return value === null ? null : [at, `expected null, got ${describe(value)}`];
		case 'array': {
			if (!Array.isArray(value)) return [at, `expected an array, got ${describe(value)}`];
			if (schema.maxItems !== undefined && value.length > schema.maxItems) return [at, `at most ${schema.maxItems} items`];
			for (let i = 0; i < value.length; i++) {
				const mismatch = findMismatch(schema.items, value[i], `${path}/${i}`);
				if (mismatch) return mismatch;
			}
			return null;
		}
		case 'record': {
			if (typeof value !== 'object' || value === null || Array.isArray(value)) return [at, `expected an object, got ${describe(value)}`];
			for (const [key, item] of Object.entries(value)) {
				const mismatch = findMismatch(schema.values, item, `${path}/${escapePointer(key)}`);
				if (mismatch) return mismatch;
			}
			return null;
		}
		case 'object': {
			if (typeof value !== 'object' || value === null || Array.isArray(value)) return [at, `expected an object, got ${describe(value)}`];
			const record = value as Record<string, unknown>;
			for (const key of Object.keys(record)) {
				if (!Object.hasOwn(schema.properties, key)) return [`${path}/${escapePointer(key)}`, 'unknown field'];
			}
			for (const [key, property] of Object.entries(schema.properties)) {
				const fieldPath = `${path}/${escapePointer(key)}`;
				if (record[key] === undefined) {
					if (!property.optional) return [fieldPath, 'missing required field'];
					continue;
				}
				const mismatch = findMismatch(property.schema, record[key], fieldPath);
				if (mismatch) return mismatch;
			}
			return null;
		}
		case 'anyOf': {
			const mismatches = schema.options.map((option) => findMismatch(option, value, path));
			if (mismatches.some((m) => m === null)) return null;
			// Report the option that got deepest: it is the one the client most likely meant.
			return mismatches.reduce((best, m) => (m![0].length > best![0].length ? m : best))!;
		}
	}
}

const wantsObject = (schema: Schema): boolean =>
	schema.kind === 'object' || schema.kind === 'record' ||
	(schema.kind === 'anyOf' && schema.options.some(wantsObject) && !schema.options.some((o) => o.kind === 'array'));

/**
 * Lua has one table type, so Neovim's client encodes an empty table as `[]`: where only an
 * object fits, an empty array says the same as `{}` and is read as one. Anything else is
 * returned as it is, for `findMismatch` to judge.
 */
function emptyArraysAsObjects(schema: Schema, value: unknown): unknown {
	if (Array.isArray(value)) {
		if (value.length === 0 && wantsObject(schema)) return {};
		return schema.kind === 'array' ? value.map((item) => emptyArraysAsObjects(schema.items, item)) : value;
	}
	if (typeof value !== 'object' || value === null) return value;
	const mapValues = (of: (key: string) => Schema | undefined): unknown => Object.fromEntries(Object.entries(value)
		.map(([key, item]) => { const inner = of(key); return [key, inner ? emptyArraysAsObjects(inner, item) : item]; }));
	switch (schema.kind) {
		case 'object':
			return mapValues((key) => (Object.hasOwn(schema.properties, key) ? schema.properties[key]!.schema : undefined));
		case 'record':
			return mapValues(() => schema.values);
		case 'anyOf':
			for (const option of schema.options) {
				const read = emptyArraysAsObjects(option, value);
				if (!findMismatch(option, read)) return read;
			}
			return value;
		default:
			return value;
	}
}

/** Throws `InvalidParams` naming the bad field when `params` does not fit the schema. */
export function validateParams<T>(schema: Schema, params: unknown): T {
	const value = emptyArraysAsObjects(schema, params === undefined || params === null ? {} : params);
	const mismatch = findMismatch(schema, value);
	if (mismatch) {
		const [path, message] = mismatch;
		throw invalidParams(path, `Invalid params at ${path}: ${message}.`);
	}
	return value as T;
}

/**
 * For methods that take no params: absent, null, or an empty object or array (what
 * StreamJsonRpc sends for a call without arguments); anything else is `InvalidParams`.
 */
export function validateNoParams(params: unknown): void {
	const empty = params === undefined || params === null ||
		(typeof params === 'object' && Object.keys(params).length === 0);
	if (!empty) throw invalidParams('/', 'Invalid params at /: this method takes no params.');
}
