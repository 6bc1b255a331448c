// protocol/metaModel.json is generated from protocol/: it must be what the generator makes
// of today's sources (a changed message without a regenerated file fails here), describe
// every method the spec lists, and describe real answers of the server correctly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { buildMetaModel, buildWorkspaceSchema, META_MODEL_FILE, renderMetaModel, WORKSPACE_SCHEMA_FILE } from '../../../scripts/generate-meta-model.mjs';
import { startInProcess } from '../../helpers/in-process.mjs';
import { writeKubeconfig } from '../../helpers/kubeconfig.mjs';

const checkedIn = readFileSync(META_MODEL_FILE, 'utf8');
const model = JSON.parse(checkedIn);
const spec = readFileSync(new URL('../../../protocol/PROTOCOL.md', import.meta.url), 'utf8');

test('the checked-in meta-model is what protocol/ generates today', async () => {
	assert.ok(renderMetaModel(await buildMetaModel()) === checkedIn,
		'protocol/metaModel.json is out of date: run `npm run compile && node scripts/generate-meta-model.mjs` and commit it');
});

test("the checked-in kubebridge.yaml schema is what protocol/ generates today, and editors' validators read it", async () => {
	const checkedInSchema = readFileSync(WORKSPACE_SCHEMA_FILE, 'utf8');
	assert.ok(renderMetaModel(await buildWorkspaceSchema()) === checkedInSchema,
		'protocol/schemas/kubebridge.schema.json is out of date: run `npm run meta-model` and commit it');
	const validate = new Ajv({ strict: false }).compile(JSON.parse(checkedInSchema));
	assert.ok(validate({ version: 1, targets: [{ service: 'orders', ports: [{ remote: 80, local: 5000 }] }], env: { A: '$(services:db)' }, features: { hostsFile: false } }), JSON.stringify(validate.errors));
	assert.equal(validate({ version: 1, targets: [{ service: 'a', workload: { kind: 'Pod', name: 'b' } }] }), false, 'a target names one of service and workload');
	assert.equal(validate({ version: 1, features: { hostFile: true } }), false, 'unknown fields are refused');
});

test('every method of the spec is there once, with its direction and kind', () => {
	const documented = [...spec.matchAll(/^### `([^`]+)`\n- \*\*Status:\*\* \w+\n- \*\*Direction:\*\* (client → server|server → client), (request|notification)/gm)];
	const described = [...model.requests.map((r) => [r.method, r.direction, 'request']), ...model.notifications.map((n) => [n.method, n.direction, 'notification'])];
	assert.deepEqual(described.sort(), documented.map((m) => [m[1], m[2] === 'client → server' ? 'clientToServer' : 'serverToClient', m[3]]).sort());
	for (const request of model.requests.filter((r) => r.status === 'implemented')) assert.ok(request.result, `${request.method} has a result`);
	assert.deepEqual(model.requests.filter((r) => r.cancellable).map((r) => r.method), ['cluster/namespaces', 'cluster/services', 'session/connect']);
});

test('every error code has its reasons, and every reason belongs to a code', () => {
	const listed = model.errors.flatMap((e) => e.reasons);
	assert.deepEqual([...new Set(listed)].sort(), [...model.reasons].sort());
	assert.deepEqual(model.errors.find((e) => e.code === -32602), { name: 'InvalidParams', code: -32602, reasons: ['invalidParams'] });
});

/** Ajv with every definition of the meta-model, so `#/definitions/...` resolves. */
function validatorOf(schema) {
	const ajv = new Ajv({ allErrors: true, strict: false });
	const validate = ajv.compile({ ...schema, definitions: model.definitions });
	return (value, what) => assert.ok(validate(value), `${what}: ${JSON.stringify(validate.errors)}`);
}
const request = (method) => model.requests.find((r) => r.method === method);

test('what the server really answers fits the meta-model, and params it refuses do not', async () => {
	const kubeconfig = writeKubeconfig([{ name: 'meta', server: 'https://127.0.0.1:1', namespace: 'shop' }]);
	const { client } = startInProcess({ cluster: { kubeconfig } });
	const initializeParams = { processId: null, clientInfo: { name: 'generated-client' }, capabilities: { supportsWorkDoneProgress: true } };
	validatorOf(request('initialize').params)(initializeParams, 'initialize params');
	const init = await client.request('initialize', initializeParams);
	validatorOf(request('initialize').result)(init.result, 'initialize result');
	client.notify('initialized', {});
	for (const method of ['cluster/contexts', 'session/status']) {
		const answer = await client.request(method, {});
		validatorOf(request(method).result)(answer.result, `${method} result`);
	}
	const refused = await client.request('cluster/services', { namespace: 5 });
	validatorOf({ $ref: '#/definitions/ErrorData' })(refused.error.data, 'error data');
	assert.equal(new Ajv({ strict: false }).validate({ ...request('cluster/services').params, definitions: model.definitions }, { namespace: 5 }), false);
	assert.equal((await client.request('shutdown')).result, null);
});
