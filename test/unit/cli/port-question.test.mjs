// The CLI's terminal question for a busy port: asked only on a terminal, yes frees, and
// anything else (Enter included) keeps the holder running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { terminalPortQuestion } from '../../../out/server/cli/port-question.js';
import { portQuestionFor } from '../../../out/server/cli/outbound-flags.js';

const params = { address: '127.1.0.3', port: 8080, service: 'orders.shop', holders: [{ pid: 42, command: 'node server.js' }], message: 'orders.shop needs 127.1.0.3:8080, which pid 42 (node server.js) holds. Stop it?' };

function terminal() {
	const input = Object.assign(new PassThrough(), { isTTY: true });
	const output = Object.assign(new PassThrough(), { isTTY: true });
	let shown = '';
	output.on('data', (chunk) => { shown += chunk; });
	return { input, output, shown: () => shown };
}

for (const [typed, free] of [['y\n', true], ['Yes\n', true], ['n\n', false], ['\n', false], ['maybe\n', false]]) {
	test(`typing ${JSON.stringify(typed)} answers free: ${free}`, async () => {
		const tty = terminal();
		const asking = terminalPortQuestion(tty)(params);
		tty.input.write(typed);
		assert.equal(await asking, free);
		assert.match(tty.shown(), /pid 42 \(node server\.js\) holds\. Stop it\? \[y\/N\] /);
	});
}

test('no question without a terminal on both sides, or when a flag answered it', () => {
	const tty = terminal();
	assert.equal(terminalPortQuestion({ input: new PassThrough(), output: tty.output }), null);
	assert.equal(terminalPortQuestion({ input: tty.input, output: new PassThrough() }), null);
	assert.equal(portQuestionFor({ 'free-busy-ports': true }), null);
	assert.equal(portQuestionFor({ 'free-busy-ports': false }), null);
});
