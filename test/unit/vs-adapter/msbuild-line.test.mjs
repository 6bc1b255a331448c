import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnosticOf, formatDiagnostic, formatError } from '../../../out/vs-adapter/output/msbuild-line.js';
import { launchProfileInUse, projectFileInvalid } from '../../../out/vs-adapter/errors.js';
import { KubebridgeError } from '../../../out/server/errors.js';

// MSBuild's canonical-message patterns (src/Shared/CanonicalError.cs): what Visual Studio uses to
// turn an output line into an error with a file and position.
const ORIGIN_CATEGORY_CODE_TEXT = new RegExp('^\\s*(((?<ORIGIN>(((\\d+>)?[a-zA-Z]?:[^:]*)|([^:]*))):)|())(?<SUBCATEGORY>(()|([^:]*? )))'
	+ '(?<CATEGORY>(error|warning))( \\s*(?<CODE>[^: ]*))?\\s*:(?<TEXT>.*)$', 'i');
const FILENAME_LOCATION_FROM_ORIGIN = /^(\d+>)?(?<FILENAME>.*)\((?<LOCATION>[\,,0-9,-]*)\)\s*$/i;

function msbuildParse(line) {
	const match = ORIGIN_CATEGORY_CODE_TEXT.exec(line);
	assert.ok(match, `MSBuild recognises: ${line}`);
	const origin = match.groups.ORIGIN?.trim() ?? '';
	const located = FILENAME_LOCATION_FROM_ORIGIN.exec(origin);
	const [lineNo, column] = located ? located.groups.LOCATION.split(',').map(Number) : [];
	return {
		file: located ? located.groups.FILENAME.trim() : origin, line: lineNo, column,
		category: match.groups.CATEGORY, code: match.groups.CODE, text: match.groups.TEXT.trim(),
	};
}

test('a file error becomes file(line,col): error CODE: message, parsed back by MSBuild\'s pattern', () => {
	const file = 'C:\\src\\Shop\\Shop.Api\\Properties\\launchSettings.json';
	const line = formatError(projectFileInvalid(file, 'comma expected.', { line: 12, column: 7 }));
	assert.equal(line, `${file}(12,7): error KB33601: comma expected. Fix the file (Visual Studio shows the same problem when it opens it) and retry.`);
	assert.deepEqual(msbuildParse(line), {
		file, line: 12, column: 7, category: 'error', code: 'KB33601',
		text: 'comma expected. Fix the file (Visual Studio shows the same problem when it opens it) and retry.',
	});
});

test('without a file the origin is the tool, as MSBuild tools write it', () => {
	const line = formatError(new KubebridgeError(-33100, { reason: 'clusterUnreachable', hint: 'Check the cluster.' }, 'Cannot reach the cluster:\n connection refused.'));
	assert.equal(line, 'kubebridge-vs: error KB33100: Cannot reach the cluster: connection refused. Check the cluster.');
	assert.deepEqual(msbuildParse(line), { file: 'kubebridge-vs', line: undefined, column: undefined, category: 'error', code: 'KB33100', text: 'Cannot reach the cluster: connection refused. Check the cluster.' });
});

test('a file without a position, a line without a column, and a warning', () => {
	const inUse = msbuildParse(formatError(launchProfileInUse('/home/dev/shop/Properties/launchSettings.json', 4242)));
	assert.equal(inUse.file, '/home/dev/shop/Properties/launchSettings.json');
	assert.equal(inUse.code, 'KB33602');
	assert.match(inUse.text, /^holds the launch profile of another kubebridge session that is still running \(process 4242\)\./);
	assert.equal(formatDiagnostic({ severity: 'warning', code: 'KB1', message: 'm', file: 'a.sln', line: 3 }), 'a.sln(3): warning KB1: m');
	assert.deepEqual(msbuildParse('a.sln(3): warning KB1: m'), { file: 'a.sln', line: 3, column: undefined, category: 'warning', code: 'KB1', text: 'm' });
});

test('a path with a colon MSBuild cannot take as an origin goes into the message', () => {
	const line = formatDiagnostic({ severity: 'error', code: 'KB33601', message: 'bad.', file: '/tmp/a:b/launch.vs.json', line: 1, column: 1 });
	assert.equal(line, 'kubebridge-vs: error KB33601: /tmp/a:b/launch.vs.json: bad.');
	assert.equal(msbuildParse(line).code, 'KB33601');
});

test('anything else thrown is an internal error line, never a stack', () => {
	const diagnostic = diagnosticOf(new TypeError('x is undefined'));
	assert.equal(diagnostic.code, 'KB32603');
	assert.equal(formatError(new TypeError('x is undefined')).split('\n').length, 1);
});
