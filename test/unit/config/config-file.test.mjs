import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkspaceConfig, parseConfig, CONFIG_FILE_NAME } from '../../../out/server/config/config-file.js';
import { resolveConfigEnv } from '../../../out/server/config/config-tokens.js';
import { ErrorCodes } from '../../../out/protocol/index.js';

const GOOD = `# yaml-language-server: $schema=./protocol/schemas/kubebridge.schema.json
version: 1
targets:
  - service: orders
    namespace: shop
    container: orders
    ports:
      - remote: 80
        local: 5000
  - workload: { kind: Deployment, name: worker }
launch:
  command: [dotnet, run]
  cwd: src/Orders
env:
  LOG_LEVEL: debug
  DB_URL: "postgres://$(services:order-db.data):5432/orders"
  CERTS: $(volumeMounts:tls-certs)
  PAYMENTS: "https://$(externalEndpoints:api.payments.example.com:443)"
  PRICE: "costs $$5, $(HOSTNAME) $(UNSET)"
features:
  hostsFile: false
  probes: true
`;

test('a valid file is read with its targets, launch command, env and switches', () => {
	const { config } = parseConfig(GOOD, 'kubebridge.yaml');
	assert.equal(config.targets[0].ports[0].local, 5000);
	assert.deepEqual(config.targets[1].workload, { kind: 'Deployment', name: 'worker' });
	assert.deepEqual(config.launch.command, ['dotnet', 'run']);
	assert.deepEqual(config.features, { hostsFile: false, probes: true });
});

/** Asserts parseConfig fails with configInvalid at the line, column and field given. */
function assertInvalid(text, { line, column, path, message }) {
	assert.throws(() => parseConfig(text, '/ws/kubebridge.yaml'), (error) => {
		assert.equal(error.code, ErrorCodes.ConfigInvalid);
		assert.equal(error.data.reason, 'configInvalid');
		assert.equal(error.data.file, '/ws/kubebridge.yaml');
		assert.deepEqual({ line: error.data.line, column: error.data.column, path: error.data.path }, { line, column, path });
		assert.match(error.message, message);
		assert.ok(error.message.startsWith(`/ws/kubebridge.yaml:${line}:${column}: `), error.message);
		return true;
	});
}

test('a YAML syntax error names its line and column', () => {
	assertInvalid('version: 1\ntargets:\n  - service: [orders\n', { line: 4, column: 1, path: '', message: /not valid YAML/ });
	assertInvalid('version: 1\nenv:\n  A: 1\n  A: 2\n', { line: 4, column: 3, path: '', message: /not valid YAML: Map keys must be unique/ });
});

test('a wrong type names the field and where its value is', () => {
	assertInvalid('version: 1\ntargets:\n  - service: orders\n    ports:\n      - remote: 80\n        local: "5000"\n', { line: 6, column: 16, path: '/targets/0/ports/0/local', message: /expected an integer, got a string/ });
	assertInvalid('version: 1\nfeatures:\n  hostsFile: yes please\n', { line: 3, column: 14, path: '/features/hostsFile', message: /expected a boolean, got a string/ });
	assertInvalid('version: 1\nenv:\n  PORT: 8080\n', { line: 3, column: 9, path: '/env/PORT', message: /expected a string, got a number/ });
});

test('an unknown field names the field where its key is written', () => {
	assertInvalid('version: 1\nfeatures:\n  hostFile: true\n', { line: 3, column: 3, path: '/features/hostFile', message: /unknown field 'hostFile'/ });
	assertInvalid('version: 1\nlaunch: { command: x, args: [y] }\n', { line: 2, column: 23, path: '/launch/args', message: /unknown field 'args'/ });
});

test('a missing field, a wrong version, a target naming both a service and a workload, an agent naming both images', () => {
	assertInvalid('targets: []\n', { line: 1, column: 1, path: '', message: /missing required field 'version'/ });
	assertInvalid('version: 2\n', { line: 1, column: 10, path: '/version', message: /must be 1/ });
	assertInvalid('version: 1\ntargets:\n  - service: a\n    workload: { kind: Pod, name: b }\n', { line: 3, column: 5, path: '/targets/0', message: /either a service or a workload/ });
	assertInvalid('version: 1\nagent:\n  image: x/agent:1\n  baseImage: node:24-slim\n', { line: 3, column: 3, path: '/agent', message: /must not name 'image' and 'baseImage' together/ });
	assertInvalid('version: 1\ntargets:\n  - workload: { kind: Job, name: b }\n', { line: 3, column: 23, path: '/targets/0/workload/kind', message: /must be one of "Deployment"/ });
});

test('a bad token names the variable, the token and what is wrong', () => {
	assertInvalid('version: 1\nenv:\n  A: ok\n  B: "x $(servics:db) y"\n', { line: 4, column: 6, path: '/env/B', message: /bad token \$\(servics:db\): unknown token kind 'servics'/ });
	assertInvalid('version: 1\nenv:\n  C: $(externalEndpoints:example.com)\n', { line: 3, column: 6, path: '/env/C', message: /not HOST:PORT/ });
	assertInvalid('version: 1\nenv:\n  D: $(services:Bad_Name)\n', { line: 3, column: 6, path: '/env/D', message: /not a Service name/ });
	assertInvalid('version: 1\nenv:\n  E: $(externalEndpoints:h:70000)\n', { line: 3, column: 6, path: '/env/E', message: /port from 1 to 65535/ });
});

test('tokens resolve through the session lookups; $$ and unknown $(NAME) behave as in the kubelet', () => {
	const loaded = parseConfig(GOOD, 'kubebridge.yaml');
	const calls = [];
	const env = resolveConfigEnv(loaded, {
		service: (name, namespace) => (calls.push(['service', name, namespace]), '127.1.0.9'),
		volumeMount: (name) => (calls.push(['mount', name]), `/tmp/kb/${name}`),
		externalEndpoint: (host, port) => (calls.push(['endpoint', host, port]), '127.1.0.10:443'),
		variable: (name) => (name === 'HOSTNAME' ? 'orders-1' : undefined),
	});
	assert.deepEqual(Object.fromEntries(env.map((v) => [v.name, v.value])), {
		LOG_LEVEL: 'debug', DB_URL: 'postgres://127.1.0.9:5432/orders', CERTS: '/tmp/kb/tls-certs',
		PAYMENTS: 'https://127.1.0.10:443', PRICE: 'costs $5, orders-1 $(UNSET)',
	});
	assert.deepEqual(env.find((v) => v.name === 'PRICE').references, ['HOSTNAME'], 'the container variables used, and only those defined');
	assert.deepEqual(calls, [['service', 'order-db', 'data'], ['mount', 'tls-certs'], ['endpoint', 'api.payments.example.com', 443]]);
});

test('a token the session cannot answer is a typed error naming the line and token', () => {
	const loaded = parseConfig(GOOD, 'kubebridge.yaml');
	const none = { service: () => undefined, volumeMount: () => '/x', externalEndpoint: () => 'h:1' };
	assert.throws(() => resolveConfigEnv(loaded, none), (error) => {
		assert.equal(error.code, ErrorCodes.ConfigTokenUnresolved);
		assert.equal(error.data.reason, 'configTokenUnresolved');
		assert.equal(error.data.name, '$(services:order-db.data)');
		assert.equal(error.data.line, 16);
		assert.match(error.message, /kubebridge\.yaml:16:11: \/env\/DB_URL: \$\(services:order-db\.data\) cannot be resolved/);
		return true;
	});
});

test('the workspace file is found by name; a folder without one has no configuration; CRLF files read the same', (t) => {
	const dir = mkdtempSync(join(tmpdir(), 'kubebridge-config-'));
	t.after(() => rmSync(dir, { recursive: true, force: true }));
	assert.equal(loadWorkspaceConfig(dir), null);
	writeFileSync(join(dir, CONFIG_FILE_NAME), GOOD.replaceAll('\n', '\r\n'));
	const loaded = loadWorkspaceConfig(dir);
	assert.equal(loaded.file, join(dir, 'kubebridge.yaml'));
	assert.deepEqual(loaded.config, parseConfig(GOOD, 'x').config);
	writeFileSync(join(dir, CONFIG_FILE_NAME), 'version: 1\r\nfeatures:\r\n  nope: true\r\n');
	assert.throws(() => loadWorkspaceConfig(dir), (error) => error.data.line === 3 && error.data.column === 3);
});

test('the shipped schema is the one the loader validates with', () => {
	const schema = JSON.parse(readFileSync(new URL('../../../protocol/schemas/kubebridge.schema.json', import.meta.url), 'utf8'));
	assert.deepEqual(Object.keys(schema.properties).sort(), ['agent', 'env', 'features', 'launch', 'targets', 'version']);
	assert.deepEqual(schema.required, ['version']);
});

test('a port mapping may name its protocol: a UDP port goes to a local UDP port', () => {
	const { config } = parseConfig('version: 1\ntargets:\n  - service: api\n    ports:\n      - { remote: 5353, local: 6353, protocol: UDP }\n', 'kubebridge.yaml');
	assert.deepEqual(config.targets[0].ports, [{ remote: 5353, local: 6353, protocol: 'UDP' }]);
	assert.throws(() => parseConfig('version: 1\ntargets:\n  - service: api\n    ports:\n      - { remote: 5353, local: 6353, protocol: SCTP }\n', 'kubebridge.yaml'));
});
