// The CLI's progress lines: a wait that reports the same state each poll prints it once on
// the terminal; JSON lines keep every report for the programs that read them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describeDisconnected, sessionOutput } from '../../../out/server/cli/session-output.js';

const reports = ['0/3 ready', '0/3 ready', '1/3 ready', '1/3 ready', '0/3 ready'];

function feed(output) {
	output.progress({ kind: 'begin', title: 'Restoring', cancellable: false });
	for (const message of reports) output.progress({ kind: 'report', message });
}

test('on the terminal a report repeating the one before is not printed again', (t) => {
	const lines = [];
	t.mock.method(process.stderr, 'write', (text) => { lines.push(text); return true; });
	feed(sessionOutput(false, new PassThrough()));
	t.mock.restoreAll();
	assert.deepEqual(lines, ['Restoring…\n', '  0/3 ready\n', '  1/3 ready\n', '  0/3 ready\n']);
});

test('with JSON lines every report is written', () => {
	const stream = new PassThrough();
	feed(sessionOutput(true, stream));
	const events = stream.read().toString().trim().split('\n').map((line) => JSON.parse(line));
	assert.deepEqual(events.filter((e) => e.kind === 'report').map((e) => e.message), reports);
});

test('the line after disconnect names what was put back, and a service still seen routing to a pod that is gone', () => {
	assert.equal(describeDisconnected({ restored: ['Deployment/shop/api'] }), 'Restored Deployment/shop/api.');
	assert.equal(describeDisconnected({ restored: [] }), 'Restored nothing.');
	assert.equal(describeDisconnected({ restored: ['Deployment/shop/api'], stale: [{ target: 'service/api', reason: '1 agent pod(s) still there (api-7f-x)' }] }),
		'Restored Deployment/shop/api. service/api may still send some callers to a pod that is gone: 1 agent pod(s) still there (api-7f-x).');
});
