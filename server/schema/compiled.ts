import { Ajv, type ValidateFunction } from 'ajv';
import type { Static, TSchema } from '@sinclair/typebox';

// Strict, so a schema mistake fails the first test that uses it instead of passing silently;
// `required` inside a `oneOf` branch without its own `properties` is how "one of these
// fields" is written, so that check is off.
// verbose: an error carries its schema, so a problem can name the fields that exclude each other (`not`).
const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true, verbose: true });
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * The schema's ajv validator, compiled on first use: compiling every method's schema at
 * start would cost each launch of the sidecar for methods it may never be sent.
 */
export function validatorOf<S extends TSchema>(schema: S): ValidateFunction<Static<S>> {
	let validate = compiled.get(schema);
	if (!validate) {
		validate = ajv.compile(schema);
		compiled.set(schema, validate);
	}
	return validate as ValidateFunction<Static<S>>;
}
