import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RequestType, RequestType0 } from 'vscode-jsonrpc';
import { startInProcess } from '../../helpers/in-process.mjs';
import * as protocol from '../../../out/protocol/index.js';
import { methodBindings } from '../../../out/server/rpc/method-bindings.js';

const { ErrorCodes, ERROR_REASONS, FILE_SKIP_REASONS, NOT_CONNECTABLE_REASONS } = protocol;

const spec = readFileSync(new URL('../../../protocol/PROTOCOL.md', import.meta.url), 'utf8');

/** Every `### \`method\`` section with its status and direction lines (whether it says "cancellable" included). */
function documentedMethods() {
	const methods = new Map();
	const sections = spec.split(/^### `/m).slice(1);
	for (const section of sections) {
		const name = section.slice(0, section.indexOf('`'));
		const status = /\*\*Status:\*\* (implemented|reserved)/.exec(section)?.[1];
		const direction = /\*\*Direction:\*\* (client → server|server → client), (request|notification)([^\n]*)/.exec(section);
		assert.ok(status, `${name} has a Status line`);
		assert.ok(direction, `${name} has a Direction line`);
		methods.set(name, {
			status, from: direction[1], kind: direction[2],
			reportsProgress: /\breports progress\b/.test(direction[3]), cancellable: /\bcancellable\b/.test(direction[3]),
		});
	}
	return methods;
}

const handledByServer = (doc) => doc.from === 'client → server';
// What a live server registered, not a list kept beside it.
const { running } = startInProcess();
const REQUESTS = running.requests;
const NOTIFICATIONS = running.notifications;

test('every method the server registers is documented as implemented', () => {
	const documented = documentedMethods();
	for (const method of [...REQUESTS, ...NOTIFICATIONS]) {
		assert.ok(documented.has(method), `${method} is documented`);
		assert.equal(documented.get(method).status, 'implemented', `${method} is marked implemented`);
		assert.equal(documented.get(method).kind, REQUESTS.includes(method) ? 'request' : 'notification', `${method} kind`);
	}
});

test('every client-to-server method documented as implemented is registered', () => {
	for (const [method, doc] of documentedMethods()) {
		if (doc.status !== 'implemented' || !handledByServer(doc)) continue;
		assert.ok([...REQUESTS, ...NOTIFICATIONS].includes(method), `${method} is registered`);
	}
});

test('reserved methods are not registered', () => {
	for (const [method, doc] of documentedMethods()) {
		if (doc.status === 'reserved') assert.ok(![...REQUESTS, ...NOTIFICATIONS].includes(method), `${method} is reserved yet registered`);
	}
});

const ARROWS = { clientToServer: 'client → server', serverToClient: 'server → client' };
const isRequest = (declaration) => declaration.type instanceof RequestType || declaration.type instanceof RequestType0;
const declarations = Object.values(protocol).filter((v) => v && typeof v.method === 'string' && v.type);

test("every message's declared direction, progress and cancellability is what its Direction line says", () => {
	const documented = documentedMethods();
	const implemented = [...documented].filter(([, doc]) => doc.status === 'implemented').map(([method]) => method);
	assert.deepEqual(declarations.map((d) => d.method).sort(), implemented.sort(), 'every implemented method is declared, and only those');
	const reserved = [...documented].filter(([, doc]) => doc.status === 'reserved').map(([method]) => method);
	assert.deepEqual(protocol.RESERVED_METHODS.map((r) => r.method).sort(), reserved.sort(), 'every reserved method is declared reserved');
	const all = [
		...declarations.map((d) => ({ method: d.method, kind: isRequest(d) ? 'request' : 'notification', traits: d.traits })),
		...protocol.RESERVED_METHODS,
	];
	for (const { method, kind, traits } of all) {
		const doc = documented.get(method);
		assert.ok(traits, `${method} declares its traits`);
		assert.equal(ARROWS[traits.direction], doc.from, `${method}: direction`);
		assert.equal(kind, doc.kind, `${method}: request or notification`);
		if (kind === 'notification') continue;
		assert.equal(typeof traits.reportsProgress, 'boolean', `${method} declares traits.reportsProgress`);
		assert.equal(typeof traits.cancellable, 'boolean', `${method} declares traits.cancellable`);
		assert.equal(traits.reportsProgress, doc.reportsProgress, `${method}: the declaration and the spec agree on progress`);
		assert.equal(traits.cancellable, doc.cancellable, `${method}: the declaration and the spec agree on cancelling`);
	}
});

test('every request is bound with its declaration', () => {
	const requests = declarations.filter(isRequest);
	const bound = methodBindings({});
	assert.ok(bound.length > 0);
	for (const [method, binding] of bound) assert.equal(binding.traits, requests.find((r) => r.method === method).traits, `${method} is bound with its declaration's traits`);
});

test('every error code is in the spec table with its number', () => {
	for (const [name, code] of Object.entries(ErrorCodes)) {
		assert.match(spec, new RegExp(`\\| ${code} \\| \`${name}\` \\|`), `${name} (${code}) is documented`);
	}
});

test('every error reason and not-connectable reason is documented', () => {
	for (const reason of ERROR_REASONS) assert.ok(spec.includes(`\`${reason}\``), `error reason ${reason}`);
	for (const reason of NOT_CONNECTABLE_REASONS) assert.match(spec, new RegExp(`\\| \`${reason}\` \\|`), `not-connectable reason ${reason}`);
});

test("kubebridge's own codes stay outside JSON-RPC's and the LSP's reserved ranges", () => {
	for (const [name, code] of Object.entries(ErrorCodes)) {
		if (code <= -33000) assert.ok(code >= -33999, `${name} within -33999..-33000`);
		else assert.ok(code >= -32899, `${name} is a standard code`);
	}
});

test('the mounted files of a session are documented: every field and every skip reason', () => {
	const start = spec.indexOf('#### Mounted files');
	assert.ok(start >= 0, 'a Mounted files section');
	const section = spec.slice(start, spec.indexOf('\n### ', start));
	for (const field of ['root', 'envVar', 'pod', 'mounts', 'refreshedAt', 'refreshError', 'name', 'mountPath', 'localPath', 'kind', 'secret',
		'fileCount', 'bytes', 'error', 'skipped', 'skippedCount', 'truncated']) {
		assert.ok(section.includes(`\`${field}\``), `field ${field}`);
	}
	for (const reason of FILE_SKIP_REASONS) assert.match(section, new RegExp(`\\| \`${reason}\` \\|`), `skip reason ${reason}`);
	assert.ok(spec.includes('`filesChanged`'), 'the filesChanged state change');
});
