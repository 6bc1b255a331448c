// fast-check arbitraries for hostile input, built from the protocol's own declarations: the
// methods and each request's paramsSchema come from out/protocol, the reserved names from
// PROTOCOL.md, so a new method or field is fuzzed without touching this file.
//
// An arbitrary yields a description of one item (a request, a notification, a cancel, a
// batch, a stretch of bad framing...); fuzz-driver.mjs turns it into bytes, gives requests
// their ids and knows which of them must be answered.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import * as protocol from '../../out/protocol/index.js';

const declarations = Object.values(protocol).filter((d) => d && typeof d.method === 'string' && d.type);
const isRequest = (d) => d.type.constructor.name.startsWith('RequestType');
export const DECLARED_REQUESTS = declarations.filter(isRequest);
export const DECLARED_NOTIFICATIONS = declarations.filter((d) => !isRequest(d) && d.method !== protocol.ExitNotification.method);
const spec = readFileSync(new URL('../../protocol/PROTOCOL.md', import.meta.url), 'utf8');
const RESERVED = [...spec.matchAll(/^### `([^`]+)`\n- \*\*Status:\*\* reserved/gm)].map((m) => m[1]);
export const CANCEL = '$/cancelRequest';

/**
 * Stands for JSON text spliced in when the message is written: nesting too deep for
 * JSON.stringify to build, and numbers JSON can spell but JavaScript cannot hold.
 */
const rawToken = (kind, argument) => `\u0001raw:${kind}:${argument}\u0001`;
const RAW_TOKEN = /"\\u0001raw:(\w+):([^"\\]*)\\u0001"/g;

/** JSON text of `value`, raw tokens expanded. */
export function toJson(value) {
	return JSON.stringify(value).replace(RAW_TOKEN, (_, kind, argument) => {
		if (kind === 'number') return argument;
		const depth = Number(argument);
		return kind === 'arrays' ? '['.repeat(depth) + '0' + ']'.repeat(depth) : '{"a":'.repeat(depth) + '0' + '}'.repeat(depth);
	});
}

const deepNesting = fc.tuple(fc.constantFrom('arrays', 'objects'), fc.integer({ min: 64, max: 20_000 }))
	.map(([kind, depth]) => rawToken(kind, depth));
const bigNumber = fc.oneof(
	fc.constantFrom(1e308, -1e308, 2 ** 53 + 2, -(2 ** 53) - 2, 5e-324, 1.5, -0.5, 0, -1, 2 ** 31, 2 ** 32),
	fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '-0', '0.0000000000000000000001').map((n) => rawToken('number', n)),
);
const hugeString = fc.tuple(fc.integer({ min: 1_000, max: 200_000 }), fc.constantFrom('x', 'é', '✓', '😀', '\\', '"', '\u0000'))
	.map(([n, c]) => c.repeat(n));
const unicodeString = fc.oneof(
	fc.string({ unit: 'binary', maxLength: 40 }),
	fc.string({ unit: 'grapheme', maxLength: 40 }),
	fc.constantFrom('', ' ', '\r\n\r\n', 'Content-Length: 10\r\n\r\n', '__proto__', 'constructor', '../../etc/passwd', '$(rm -rf /)', '\ud800', '\u2028\u2029'),
);
/** A value of any JSON type, unusual ones favoured. */
export const hostileValue = fc.oneof(
	{ arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 4 },
	{ arbitrary: unicodeString, weight: 3 },
	{ arbitrary: bigNumber, weight: 2 },
	{ arbitrary: hugeString, weight: 1 },
	{ arbitrary: deepNesting, weight: 1 },
	{ arbitrary: fc.constantFrom(null, true, false, [], {}, [1], [[]], [{}]), weight: 2 },
);
const fieldName = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'id', 'params'));

/** A value that fits `schema` (JSON Schema, as protocol/ declares params). */
export function validValue(schema) {
	if (schema.anyOf) return fc.oneof(...schema.anyOf.map(validValue));
	switch (schema.type) {
		case 'string':
			return schema.enum ? fc.constantFrom(...schema.enum) : fc.string({ minLength: schema.minLength ?? 0, maxLength: 24, unit: 'grapheme' });
		case 'integer':
			return fc.integer({ min: schema.minimum ?? -(2 ** 31), max: schema.maximum ?? 2 ** 31 });
		case 'boolean':
			return fc.boolean();
		case 'null':
			return fc.constant(null);
		case 'array':
			return fc.array(validValue(schema.items), { maxLength: Math.min(schema.maxItems ?? 4, 4) });
		case 'object': {
			if (!schema.properties) return fc.dictionary(fc.string({ maxLength: 12 }), validValue(schema.additionalProperties), { maxKeys: 4 });
			const entries = Object.entries(schema.properties);
			return fc.record(Object.fromEntries(entries.map(([k, p]) => [k, validValue(p)])), { requiredKeys: schema.required ?? [] });
		}
	}
	throw new Error(`cannot make a value for ${JSON.stringify(schema)}`);
}

/** Near misses of `schema`: right shape with one thing wrong, at any depth. */
function nearMiss(schema) {
	if (schema.anyOf) return fc.oneof(...schema.anyOf.map(nearMiss));
	switch (schema.type) {
		case 'string':
			return fc.oneof(
				fc.constant(''),
				...(schema.enum ? [fc.constantFrom(...schema.enum).map((v) => v.toUpperCase() + ' ')] : []),
				hugeString, unicodeString,
			);
		case 'integer':
			return fc.constantFrom(
				...(schema.minimum === undefined ? [] : [schema.minimum - 1]),
				...(schema.maximum === undefined ? [] : [schema.maximum + 1]),
				0.5, -(2 ** 53) - 2, 1e308, Number.MAX_SAFE_INTEGER + 2, rawToken('number', '1e400'), '1',
			);
		case 'object': {
			const entries = Object.entries(schema.properties ?? {});
			const required = schema.required ?? [];
			const valid = validValue(schema);
			return fc.oneof(
				fc.constant([]),
				fc.array(hostileValue, { minLength: 1, maxLength: 3 }),
				fc.tuple(valid, fieldName, hostileValue).map(([v, k, x]) => ({ ...v, [k]: x })),
				...(required.length ? [fc.tuple(valid, fc.constantFrom(...required)).map(([v, k]) => { const c = { ...v }; delete c[k]; return c; })] : []),
				...(entries.length ? [fc.tuple(valid, fc.constantFrom(...entries)).chain(([v, [k, p]]) => paramsLike(p).map((x) => ({ ...v, [k]: x })))] : []),
			);
		}
		case 'array':
			return fc.oneof(fc.constant({}), fc.array(hostileValue, { maxLength: 3 }), fc.array(validValue(schema.items), { minLength: 50, maxLength: 200 }));
		default:
			return hostileValue;
	}
}

/** Values shaped like `schema`: mostly valid or nearly so, sometimes anything at all. */
export function paramsLike(schema) {
	return fc.oneof(
		{ arbitrary: validValue(schema), weight: 3 },
		{ arbitrary: nearMiss(schema), weight: 5 },
		{ arbitrary: hostileValue, weight: 2 },
	);
}

const ABSENT = Symbol('absent');
/** Params of a declared method: from its schema, or the forms of "no params" and junk. */
function paramsFor(declaration) {
	if (declaration.paramsSchema) {
		return fc.oneof({ arbitrary: paramsLike(declaration.paramsSchema), weight: 9 }, { arbitrary: fc.constantFrom(ABSENT, null), weight: 1 });
	}
	// A `shutdown` that succeeds would leave nothing to fuzz, so only its refused forms are sent;
	// the sentinel after each batch proves none of them shut the server down.
	if (declaration.method === protocol.ShutdownRequest.method) {
		return fc.oneof(fc.dictionary(fieldName, hostileValue, { minKeys: 1, maxKeys: 3 }), fc.array(hostileValue, { minLength: 1, maxLength: 3 }), unicodeString, bigNumber);
	}
	return fc.oneof(fc.constantFrom(ABSENT, null, [], {}), hostileValue);
}

const undeclaredMethod = fc.oneof(
	fc.constantFrom(...RESERVED, 'exit ', 'Initialize', 'cluster/', '/', '$/', '$/unknown', 'rpc.discover', '__proto__', 'constructor', 'toString', CANCEL),
	fc.string({ minLength: 1, maxLength: 30 }),
	hugeString,
);
const anyMethod = fc.oneof(
	{ arbitrary: fc.constantFrom(...DECLARED_REQUESTS).chain((d) => paramsFor(d).map((params) => ({ method: d.method, params }))), weight: 6 },
	{ arbitrary: fc.tuple(undeclaredMethod, fc.oneof(fc.constant(ABSENT), hostileValue)).map(([method, params]) => ({ method, params })), weight: 2 },
);
/** How a request's id is spelt; the driver makes each one unique. */
const idForm = fc.constantFrom('integer', 'negative', 'large', 'string', 'unicode');

const request = fc.tuple(anyMethod, idForm, fc.string({ unit: 'grapheme', maxLength: 8 }))
	.map(([{ method, params }, form, flavour]) => ({ kind: 'request', method, params, idForm: form, flavour }));

const notification = fc.oneof(
	fc.constantFrom(...DECLARED_NOTIFICATIONS).chain((d) => (d.paramsSchema ? paramsLike(d.paramsSchema) : fc.oneof(fc.constant(ABSENT), hostileValue))
		.map((params) => ({ kind: 'notification', method: d.method, params }))),
	fc.tuple(undeclaredMethod, fc.oneof(fc.constant(ABSENT), hostileValue)).map(([method, params]) => ({ kind: 'notification', method, params })),
);

const MALFORMED_CANCEL_PARAMS = [ABSENT, null, [], [1], {}, { id: null }, { id: 1.5 }, { id: [] }, { id: {} }, { id: { toString: 1 } }, { id: true }, 'id', 7];
/** Cancels of a request in the same batch (by position), of ids never sent, and malformed ones. */
const cancel = fc.oneof(
	fc.nat({ max: 40 }).map((index) => ({ kind: 'cancel', target: 'batch', index })),
	fc.oneof(fc.string({ maxLength: 10 }), fc.integer()).map((id) => ({ kind: 'cancel', target: 'unknown', params: { id: `never-${id}` } })),
	fc.oneof(fc.constantFrom(...MALFORMED_CANCEL_PARAMS), hostileValue.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)))
		.map((params) => ({ kind: 'cancel', target: 'malformed', params })),
);

/** JSON that is not a valid JSON-RPC request; the driver gives each a throw-away id. */
const invalidMessage = fc.oneof(
	fc.constantFrom(
		{ jsonrpc: '1.0', method: 'cluster/contexts' }, { method: 'cluster/contexts' }, { jsonrpc: 2, method: 'x' },
		{ jsonrpc: '2.0', method: '' }, { jsonrpc: '2.0', method: 7 }, { jsonrpc: '2.0' }, { jsonrpc: '2.0', result: 1 },
	).map((value) => ({ kind: 'invalid', value, idPlacement: 'id' })),
	fc.constantFrom(null, 1.5, true, [], {}, -0).map((id) => ({ kind: 'invalid', value: { jsonrpc: '2.0', method: 'cluster/contexts', id }, idPlacement: 'none' })),
	hostileValue.map((value) => ({ kind: 'invalid', value, idPlacement: 'none' })),
	fc.constantFrom('result', 'error').map((member) => ({ kind: 'response', member })),
);

const batch = fc.array(fc.oneof(request, notification, fc.constant('cancel')), { maxLength: 4 }).map((members) => ({ kind: 'batch', members }));

const FRAMING = ['junk', 'badLength', 'missingLength', 'duplicateLength', 'conflictingLength', 'zeroLength', 'shortLength',
	'paddedLength', 'lfOnly', 'invalidUtf8', 'invalidJson', 'otherCharset', 'noColon', 'longHeader'];
/** Bytes that break framing in one way; each wraps a throw-away request it may lose. */
const badFraming = fc.record({
	variant: fc.constantFrom(...FRAMING),
	junk: fc.uint8Array({ minLength: 1, maxLength: 12_000 }).map((bytes) => Buffer.from(bytes))
		.filter((bytes) => !/content-length/i.test(bytes.toString('latin1'))),
	amount: fc.integer({ min: 1, max: 30 }),
}).map((framing) => ({ kind: 'framing', ...framing }));

/** One item of a batch. */
export const item = fc.oneof(
	{ arbitrary: request, weight: 10 },
	{ arbitrary: notification, weight: 3 },
	{ arbitrary: cancel, weight: 3 },
	{ arbitrary: invalidMessage, weight: 2 },
	{ arbitrary: batch, weight: 1 },
	{ arbitrary: badFraming, weight: 3 },
);

/** Items written together, and where the bytes are cut into separate writes. */
export const batchOf = (maxItems) => fc.record({
	items: fc.array(item, { minLength: 1, maxLength: maxItems, size: 'max' }),
	cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
});

export { ABSENT };
