import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateParams } from '../../../out/server/rpc/validate.js';
import { validatorOf } from '../../../out/server/schema/compiled.js';
import * as protocol from '../../../out/protocol/index.js';

const { ContextsRequest, InitializeRequest, ServicesRequest } = protocol;

function invalidAt(schema, params) {
	try {
		validateParams(schema, params);
	} catch (error) {
		assert.equal(error.code, -32602);
		assert.equal(error.data.reason, 'invalidParams');
		return error.data.path;
	}
	assert.fail('expected InvalidParams');
}

test('valid initialize params pass', () => {
	const params = { processId: 42, capabilities: { supportsWorkDoneProgress: true }, cluster: { namespace: 'shop', requestTimeoutMs: 2000 }, trace: 'off' };
	assert.deepEqual(validateParams(InitializeRequest.paramsSchema, params), params);
	assert.deepEqual(validateParams(InitializeRequest.paramsSchema, { processId: null, capabilities: {} }).processId, null);
});

test('a wrong type is reported with the path of the field', () => {
	assert.equal(invalidAt(InitializeRequest.paramsSchema, { processId: 'x', capabilities: {} }), '/processId');
	assert.equal(invalidAt(InitializeRequest.paramsSchema, { processId: 1, capabilities: {}, cluster: { namespace: 3 } }), '/cluster/namespace');
	assert.equal(invalidAt(InitializeRequest.paramsSchema, { processId: 1, capabilities: {}, trace: 'loud' }), '/trace');
});

test('a missing required field is reported', () => {
	assert.equal(invalidAt(InitializeRequest.paramsSchema, { processId: 1 }), '/capabilities');
});

test('extra junk is refused, at any depth', () => {
	assert.equal(invalidAt(ServicesRequest.paramsSchema, { namespace: 'a', junk: true }), '/junk');
	assert.equal(invalidAt(InitializeRequest.paramsSchema, { processId: 1, capabilities: { nope: 1 } }), '/capabilities/nope');
});

test('bounds and empty strings are checked', () => {
	assert.equal(invalidAt(InitializeRequest.paramsSchema, { processId: 1, capabilities: {}, cluster: { requestTimeoutMs: 5 } }), '/cluster/requestTimeoutMs');
	assert.equal(invalidAt(ServicesRequest.paramsSchema, { namespace: '' }), '/namespace');
});

test('positional params are refused; absent params count as an empty object', () => {
	assert.equal(invalidAt(ServicesRequest.paramsSchema, ['default']), '/');
	assert.deepEqual(validateParams(ServicesRequest.paramsSchema, undefined), {});
});

test('a progress token may be a string or an integer, nothing else', () => {
	validateParams(ServicesRequest.paramsSchema, { workDoneToken: 'a' });
	validateParams(ServicesRequest.paramsSchema, { workDoneToken: 7 });
	assert.equal(invalidAt(ServicesRequest.paramsSchema, { workDoneToken: { a: 1 } }), '/workDoneToken');
});

test("an empty array where only an object fits reads as {} (Lua's empty table, as Neovim sends it)", () => {
	const params = validateParams(InitializeRequest.paramsSchema, { processId: null, capabilities: [], cluster: [], clientInfo: { name: 'nvim' } });
	assert.deepEqual(params, { processId: null, capabilities: {}, cluster: {}, clientInfo: { name: 'nvim' } });
	assert.deepEqual(validateParams(ServicesRequest.paramsSchema, []), {});
	assert.deepEqual(validateParams(ContextsRequest.paramsSchema, []), {});
});

test('every other array where an object is expected is still InvalidParams', () => {
	assert.equal(invalidAt(InitializeRequest.paramsSchema, { processId: null, capabilities: [1] }), '/capabilities');
	assert.equal(invalidAt(InitializeRequest.paramsSchema, { processId: null, capabilities: [{}] }), '/capabilities');
	assert.equal(invalidAt(InitializeRequest.paramsSchema, { processId: null, capabilities: {}, cluster: [[]] }), '/cluster');
	assert.equal(invalidAt(ServicesRequest.paramsSchema, [{}]), '/');
	// Where a string or a number is expected, [] is not a spelling of it.
	assert.equal(invalidAt(ServicesRequest.paramsSchema, { namespace: [] }), '/namespace');
	assert.equal(invalidAt(ServicesRequest.paramsSchema, { workDoneToken: [] }), '/workDoneToken');
	assert.equal(invalidAt(InitializeRequest.paramsSchema, { processId: [], capabilities: {} }), '/processId');
});

test('messages say what was expected and what came, as the spec shows them', () => {
	assert.throws(() => validateParams(ServicesRequest.paramsSchema, { namespace: 5 }),
		{ message: 'Invalid params at /namespace: expected a string, got a number.' });
	assert.throws(() => validateParams(ServicesRequest.paramsSchema, { namespace: 'a', junk: true }),
		{ message: "Invalid params at /junk: unknown field 'junk'." });
	assert.throws(() => validateParams(InitializeRequest.paramsSchema, { processId: 1, capabilities: {}, trace: 'loud' }),
		{ message: 'Invalid params at /trace: must be one of "off", "messages", "verbose".' });
	assert.throws(() => validateParams(InitializeRequest.paramsSchema, { processId: 'x', capabilities: {} }),
		{ message: 'Invalid params at /processId: expected an integer, got a string.' });
});

test("every method's params schema compiles under the server's strict ajv", () => {
	const declared = Object.values(protocol).filter((d) => d && typeof d.method === 'string' && d.paramsSchema);
	assert.ok(declared.length >= 12, `only ${declared.length} declarations with params`);
	for (const declaration of declared) assert.equal(typeof validatorOf(declaration.paramsSchema), 'function', declaration.method);
	assert.equal(typeof validatorOf(protocol.WorkspaceConfig), 'function');
});

test('session/connect naming both a base image and a full agent image is refused, saying so', () => {
	const { ConnectRequest } = protocol;
	const both = { targets: [], agentImage: 'x/agent:1', agentBaseImage: 'node:24-slim' };
	assert.equal(invalidAt(ConnectRequest.paramsSchema, both), '/');
	assert.throws(() => validateParams(ConnectRequest.paramsSchema, both), /must not name 'agentImage' and 'agentBaseImage' together/);
	assert.deepEqual(validateParams(ConnectRequest.paramsSchema, { targets: [], agentBaseImage: 'mirror.local/node:24-slim' }).agentBaseImage, 'mirror.local/node:24-slim');
});
