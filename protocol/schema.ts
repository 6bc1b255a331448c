/**
 * Runtime descriptions of request params. The server checks every incoming request against
 * the schema declared beside its type, so a client gets `InvalidParams` with the path of the
 * bad field instead of a failure deep inside an operation. Schemas are plain data.
 */

export type Schema =
	| { readonly kind: 'string'; readonly enum?: readonly string[]; readonly minLength?: number }
	| { readonly kind: 'integer'; readonly minimum?: number; readonly maximum?: number }
	| { readonly kind: 'boolean' }
	| { readonly kind: 'null' }
	| { readonly kind: 'array'; readonly items: Schema; readonly maxItems?: number }
	| { readonly kind: 'record'; readonly values: Schema }
	| { readonly kind: 'object'; readonly properties: Readonly<Record<string, Property>> }
	| { readonly kind: 'anyOf'; readonly options: readonly Schema[] };

export interface Property {
	readonly schema: Schema;
	readonly optional: boolean;
}

/**
 * The schema of a params object of type `T`: the compiler insists that it names every
 * field of `T` and no other, so the declaration and its schema cannot drift apart.
 */
export interface ObjectSchema<T> {
	readonly kind: 'object';
	readonly properties: { readonly [K in keyof Required<T>]: Property };
}

/** Builders for schema literals, so declarations read like the types they mirror. */
export const s = {
	string: (options: { enum?: readonly string[]; minLength?: number } = {}): Schema => ({ kind: 'string', ...options }),
	integer: (options: { minimum?: number; maximum?: number } = {}): Schema => ({ kind: 'integer', ...options }),
	boolean: (): Schema => ({ kind: 'boolean' }),
	null: (): Schema => ({ kind: 'null' }),
	array: (items: Schema, maxItems?: number): Schema => ({ kind: 'array', items, ...(maxItems === undefined ? {} : { maxItems }) }),
	record: (values: Schema): Schema => ({ kind: 'record', values }),
	anyOf: (...options: Schema[]): Schema => ({ kind: 'anyOf', options }),
	object: <T>(properties: { readonly [K in keyof Required<T>]: Property }): ObjectSchema<T> => ({ kind: 'object', properties }),
	required: (schema: Schema): Property => ({ schema, optional: false }),
	optional: (schema: Schema): Property => ({ schema, optional: true }),
};
