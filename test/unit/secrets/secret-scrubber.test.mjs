import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecretScrubber, MIN_SCRUBBED_LENGTH } from '../../../out/server/secrets/secret-scrubber.js';

test('known secret values are hidden in plain text, JSON and base64 forms', () => {
	const scrubber = new SecretScrubber();
	const password = 'p@ss "word"\nline2 $(x) .*';
	scrubber.add([password, 'tok3n-abc']);
	const log = [
		`connecting with ${password} now`,
		JSON.stringify({ env: { DB_PASSWORD: password } }),
		`secret data: ${Buffer.from('tok3n-abc').toString('base64')}`,
		'tok3n-abctok3n-abc',
	].join('\n');
	const scrubbed = scrubber.scrub(log);
	assert.ok(!scrubbed.includes(password));
	assert.ok(!scrubbed.includes(JSON.stringify(password).slice(1, -1)));
	assert.ok(!scrubbed.includes('tok3n-abc'));
	assert.ok(!scrubbed.includes(Buffer.from('tok3n-abc').toString('base64')));
	assert.equal(scrubbed.split('\n')[0], 'connecting with **** now');
	assert.equal(scrubbed.split('\n')[3], '********');
});

test('a secret containing another is hidden whole; short values and empty scrubbers change nothing', () => {
	const scrubber = new SecretScrubber();
	assert.equal(scrubber.scrub('nothing known'), 'nothing known');
	scrubber.add(['abcd', 'xxabcdxx', 'a'.repeat(MIN_SCRUBBED_LENGTH - 1)]);
	assert.equal(scrubber.scrub('1 xxabcdxx 2 abcd 3 aaa'), '1 **** 2 **** 3 aaa');
});

test('the logger hides known secret values in messages and fields, in the file and for every sink', async () => {
	const { mkdtempSync, readFileSync } = await import('node:fs');
	const { tmpdir } = await import('node:os');
	const { join } = await import('node:path');
	const { Logger } = await import('../../../out/server/log/logger.js');
	const file = join(mkdtempSync(join(tmpdir(), 'kubebridge-scrub-')), 'run.log');
	const logger = new Logger(file);
	logger.secrets.add(['hunter2-long']);
	const seen = [];
	logger.attach((entry) => seen.push(entry));
	logger.warning('env', 'failed near hunter2-long', { nested: { list: ['x hunter2-long y'] }, quoted: JSON.stringify({ v: 'hunter2-long' }) });
	const written = readFileSync(file, 'utf8');
	assert.ok(!written.includes('hunter2-long'));
	assert.ok(!JSON.stringify(seen).includes('hunter2-long'));
	assert.equal(seen[0].message, 'failed near ****');
	assert.deepEqual(seen[0].fields.nested.list, ['x **** y']);
});

test('an error sent to the client carries no known secret value in its message or data', async () => {
	const { toResponseError } = await import('../../../out/server/rpc/errors.js');
	const { KubebridgeError } = await import('../../../out/server/errors.js');
	const scrubber = new SecretScrubber();
	scrubber.add(['tok3n-abc']);
	const error = new KubebridgeError(-33300, { reason: 'envSourceNotFound', name: 'X', hint: 'not tok3n-abc' }, 'value tok3n-abc is bad');
	const sent = toResponseError(error, (text) => scrubber.scrub(text));
	assert.equal(sent.message, 'value **** is bad');
	assert.deepEqual(sent.data, { reason: 'envSourceNotFound', name: 'X', hint: 'not ****' });
});
