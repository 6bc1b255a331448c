/**
 * The protocol's params and the workspace file are declared as JSON Schema with TypeBox:
 * the same declaration gives the TypeScript type (`Static`), what the server validates
 * with ajv, and what the meta-model and `schemas/kubebridge.schema.json` publish. These
 * are the few shapes TypeBox spells differently from what generated clients read best.
 */
import { CloneType, Type, type ObjectOptions, type SchemaOptions, type Static, type TProperties, type TSchema } from '@sinclair/typebox';

/** An object that refuses fields it does not declare, so a misspelt field is an error, not ignored. */
export const Closed = <T extends TProperties>(properties: T, options: ObjectOptions = {}) =>
	Type.Object(properties, { additionalProperties: false, ...options });

/** One of a few strings, published as `enum` (what code generators turn into an enum type). */
export const StringEnum = <const T extends readonly string[]>(values: T, options: SchemaOptions = {}) =>
	Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

/** Names to values, published as `additionalProperties` (a dictionary in generated code). */
export const Dictionary = <T extends TSchema>(values: T, options: SchemaOptions = {}) =>
	Type.Unsafe<Record<string, Static<T>>>({ type: 'object', additionalProperties: values, ...options });

export const NonEmptyString = (options: SchemaOptions = {}) => Type.String({ minLength: 1, ...options });

export const Port = (options: SchemaOptions = {}) => Type.Integer({ minimum: 1, maximum: 65535, ...options });

/** Marks a described use of a declaration, so the meta-model can still refer to the declaration by name. */
export const DescribedFrom = Symbol.for('kubebridge.DescribedFrom');

/** `schema` with a description of its own for one use (TypeBox's `CloneType` keeps the original's). */
export const Described = <T extends TSchema>(schema: T, description: string): T =>
	({ ...CloneType(schema), description, [DescribedFrom]: schema });
