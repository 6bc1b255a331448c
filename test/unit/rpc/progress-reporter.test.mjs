import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressFor } from '../../../out/server/rpc/progress-reporter.js';

function recorder() {
	const sent = [];
	return { sent, connection: { sendProgress: (_type, token, value) => { sent.push({ token, value }); return Promise.resolve(); } } };
}
const scrub = (text) => text.replaceAll('hunter2', '****');

test("progress goes to the request's token as its declaration says: begin tells whether a cancel is honoured, secrets scrubbed", () => {
	const { sent, connection } = recorder();
	const progress = progressFor(connection, 't1', { direction: 'clientToServer', reportsProgress: true, cancellable: true }, scrub);
	progress.begin('Listing services', 'password hunter2');
	progress.report('7 services', 80);
	progress.end();
	assert.deepEqual(sent, [
		{ token: 't1', value: { kind: 'begin', title: 'Listing services', cancellable: true, message: 'password ****' } },
		{ token: 't1', value: { kind: 'report', message: '7 services', percentage: 80 } },
		{ token: 't1', value: { kind: 'end' } },
	]);
	const other = recorder();
	progressFor(other.connection, 7, { direction: 'clientToServer', reportsProgress: true, cancellable: false }, scrub).begin('Restoring');
	assert.deepEqual(other.sent, [{ token: 7, value: { kind: 'begin', title: 'Restoring', cancellable: false } }]);
});

test('no token, or a request declared without progress, sends nothing', () => {
	const { sent, connection } = recorder();
	progressFor(connection, undefined, { direction: 'clientToServer', reportsProgress: true, cancellable: true }, scrub).begin('a');
	progressFor(connection, 't2', { direction: 'clientToServer', reportsProgress: false, cancellable: false }, scrub).begin('b');
	assert.deepEqual(sent, []);
});
