import type { Static, TSchema } from '@sinclair/typebox';
import { validatorOf } from '../schema/compiled.js';
import { emptyArraysAsObjects } from '../schema/lua-tables.js';
import { firstProblem } from '../schema/problem.js';
import { invalidParams } from './errors.js';

/** Throws `InvalidParams` naming the bad field when `params` does not fit the schema. */
export function validateParams<S extends TSchema>(schema: S, params: unknown): Static<S> {
	const value = emptyArraysAsObjects(schema, params === undefined || params === null ? {} : params);
	const validate = validatorOf(schema);
	if (!validate(value)) {
		const problem = firstProblem(validate.errors ?? [], value);
		const path = problem.pointer || '/';
		throw invalidParams(path, `Invalid params at ${path}: ${problem.message}.`);
	}
	return value as Static<S>;
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
