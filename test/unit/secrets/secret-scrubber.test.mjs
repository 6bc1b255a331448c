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
