import type { ErrorObject } from 'ajv';

/** What is wrong with a value, at the JSON pointer of the field concerned. */
export interface SchemaProblem {
	pointer: string;
	message: string;
	/**
	 * For a field that is there but not allowed, or required but absent: its name, and the
	 * pointer of the object it belongs in (where a missing field would go).
	 */
	field?: { name: string; problem: 'unknown' | 'missing'; parent: string };
}

export const escapePointer = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');

function valueAt(root: unknown, pointer: string): unknown {
	let value = root;
	for (const part of pointer.split('/').slice(1)) {
		const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
		value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
	}
	return value;
}

const article = (type: string): string => (type === 'null' ? 'null' : /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

const kindOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : article(typeof value));

// Of the errors ajv collects for alternatives, the deepest is the one about the field the
// client most likely meant; at the same depth a branch's own complaint says more than
// "matched no alternative".
const combinators = new Set(['anyOf', 'oneOf', 'if']);
function mostSpecific(errors: ErrorObject[]): ErrorObject {
	return errors.reduce((best, error) => {
		const deeper = error.instancePath.length - best.instancePath.length;
		if (deeper > 0) return error;
		if (deeper === 0 && combinators.has(best.keyword) && !combinators.has(error.keyword)) return error;
		return best;
	});
}

function describe(error: ErrorObject, value: unknown): string {
	const params = error.params as Record<string, unknown>;
	switch (error.keyword) {
		case 'additionalProperties': return `unknown field '${String(params.additionalProperty)}'`;
		case 'required': return `missing required field '${String(params.missingProperty)}'`;
		case 'type': return `expected ${String(params.type).split(',').map(article).join(' or ')}, got ${kindOf(value)}`;
		case 'const': return `must be ${JSON.stringify(params.allowedValue)}`;
		case 'enum': return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
		case 'minLength': return params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long`;
		case 'maxLength': return `must be at most ${String(params.limit)} characters long`;
		case 'minimum': return `must be at least ${String(params.limit)}`;
		case 'maximum': return `must be at most ${String(params.limit)}`;
		case 'minItems': return `needs at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`;
		case 'maxItems': return `at most ${String(params.limit)} items`;
		case 'pattern': return `does not match ${String(params.pattern)}`;
		case 'propertyNames': return `has a name that does not match ${String((error.parentSchema as { propertyNames?: { pattern?: string } })?.propertyNames?.pattern ?? 'the allowed names')}`;
		case 'oneOf': return params.passingSchemas ? 'matches more than one of the allowed forms' : 'matches none of the allowed forms';
		case 'anyOf': return 'matches none of the allowed forms';
		case 'not': {
			// The one form kubebridge forbids this way: fields that exclude each other.
			const fields = (error.schema as { required?: string[] } | undefined)?.required;
			return fields ? `must not name ${fields.map((f) => `'${f}'`).join(' and ')} together` : 'is not allowed here';
		}
		default: return error.message ?? 'is not allowed here';
	}
}

/** The one problem worth reporting of those ajv found in `root`; the root's pointer is `''`. */
export function firstProblem(errors: ErrorObject[], root: unknown): SchemaProblem {
	const error = mostSpecific(errors);
	const params = error.params as Record<string, unknown>;
	const message = describe(error, valueAt(root, error.instancePath));
	if (error.keyword === 'additionalProperties' || error.keyword === 'required') {
		const name = String(error.keyword === 'required' ? params.missingProperty : params.additionalProperty);
		const problem = error.keyword === 'required' ? 'missing' : 'unknown';
		return { pointer: `${error.instancePath}/${escapePointer(name)}`, message, field: { name, problem, parent: error.instancePath } };
	}
	return { pointer: error.instancePath, message };
}
