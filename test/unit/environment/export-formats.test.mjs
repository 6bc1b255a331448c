import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import dotenv from 'dotenv';
import { exportEnvironment } from '../../../out/server/environment/export/export-environment.js';
import { ErrorCodes } from '../../../out/protocol/index.js';

// Every kind of value the issue names, plus what each format finds hardest.
const TRICKY = {
	MULTI: 'line one\nline two\n\nline four',
	CRLF: 'windows\r\nline',
	SINGLE: "it's",
	DOUBLE: 'say "hi"',
	BACKTICK: 'a `cmd` here',
	ALL_QUOTES: `'"\``,
	DOLLAR: '$HOME $(VAR) ${VAR} $$',
	EQUALS: 'a=b==c',
	PERCENT: '100% %PATH% %%',
	BANG: 'wow! !x!',
	BACKSLASH: 'C:\\Users\\me\\n not a newline \\t',
	UNICODE: 'héllo wörld ✓ 日本語 😀 ‘smart’ “quotes”',
	SPACES: '  padded  ',
	HASH: 'value # not a comment',
	CARET: 'a^b & c | d < e > (f)',
	EMPTY: '',
	JSONISH: '{"a": [1, 2]}',
};
const vars = (record) => Object.entries(record).map(([name, value]) => ({ name, value }));
const without = (record, ...names) => Object.fromEntries(Object.entries(record).filter(([name]) => !names.includes(name)));

function assertNotRepresentable(fn, name) {
	assert.throws(fn, (error) => {
		assert.equal(error.code, ErrorCodes.ExportNotRepresentable);
		assert.equal(error.data.reason, 'valueNotRepresentable');
		assert.equal(error.data.name, name);
		return true;
	});
}

test('.env: dotenv.parse reads every value back exactly', () => {
	const { text, omitted } = exportEnvironment('dotenv', vars(without(TRICKY, 'ALL_QUOTES')));
	assert.deepEqual(dotenv.parse(text), without(TRICKY, 'ALL_QUOTES'));
	assert.deepEqual(omitted, []);
});

test('.env: a value no quoting can keep is refused, or omitted and listed when asked', () => {
	assertNotRepresentable(() => exportEnvironment('dotenv', vars({ OK: 'x', ALL_QUOTES: TRICKY.ALL_QUOTES })), 'ALL_QUOTES');
	assertNotRepresentable(() => exportEnvironment('dotenv', vars({ TRAILING: 'ends with \\' })), 'TRAILING');
	assertNotRepresentable(() => exportEnvironment('dotenv', vars({ 'a:b': 'x' })), 'a:b');
	const { text, omitted } = exportEnvironment('dotenv', vars({ OK: 'x', ALL_QUOTES: TRICKY.ALL_QUOTES }), { omitUnrepresentable: true });
	assert.deepEqual(dotenv.parse(text), { OK: 'x' });
	assert.deepEqual(omitted.map((o) => o.name), ['ALL_QUOTES']);
});

test('.env: random values either round-trip through dotenv.parse or are refused by name', () => {
	const alphabet = fc.constantFrom('a', ' ', '\n', '\r', "'", '"', '`', '\\', 'n', 'r', '#', '=', '$', 'é', '😀', '\t');
	fc.assert(fc.property(fc.array(fc.string({ unit: alphabet, maxLength: 12 }), { minLength: 1, maxLength: 4 }), (values) => {
		const input = values.map((value, i) => ({ name: `K${i}`, value }));
		const { text, omitted } = exportEnvironment('dotenv', input, { omitUnrepresentable: true });
		const kept = Object.fromEntries(input.filter((v) => !omitted.some((o) => o.name === v.name)).map((v) => [v.name, v.value]));
		assert.deepEqual(dotenv.parse(text), kept);
		// Only values that really defeat every quoting are left out.
		for (const { name } of omitted) {
			const value = input.find((v) => v.name === name).value;
			const single = !value.includes("'") && !value.includes('\r');
			const backtick = !value.includes('`') && !value.includes('\r');
			const double = !value.includes('"') && !/\\[nr]/.test(value);
			assert.ok(value.endsWith('\\') || !(single || backtick || double), `${JSON.stringify(value)} was omitted`);
		}
	}), { numRuns: 500 });
});

test('launchSettings.json: a Project profile that JSON.parse reads back exactly', () => {
	const { text } = exportEnvironment('launchSettings', vars(TRICKY), { profileName: 'api (cluster)' });
	assert.deepEqual(JSON.parse(text), { profiles: { 'api (cluster)': { commandName: 'Project', environmentVariables: TRICKY } } });
});

test('launchSettings.json: the profile is added to an existing file, keeping its comments and other profiles', () => {
	const existing = '{\r\n  // keep me\r\n  "profiles": {\r\n    "api": { "commandName": "Project" },\r\n    "kubebridge": { "commandName": "Old" }\r\n  },\r\n  "iisSettings": {}\r\n}\r\n';
	const { text } = exportEnvironment('launchSettings', vars({ A: '1' }), { existing });
	assert.match(text, /\/\/ keep me\r\n/);
	const parsed = JSON.parse(text.replace(/\/\/.*$/m, ''));
	assert.deepEqual(parsed.profiles, { api: { commandName: 'Project' }, kubebridge: { commandName: 'Project', environmentVariables: { A: '1' } } });
	assert.deepEqual(parsed.iisSettings, {});
	assert.throws(() => exportEnvironment('launchSettings', [], { existing: '[1, 2' }), (error) => error.data.reason === 'launchSettingsInvalid');
});

test('VS Code: an env block that JSON.parse reads back exactly; ${...} it would substitute is refused', () => {
	const safe = without(TRICKY, 'DOLLAR');
	assert.deepEqual(JSON.parse(exportEnvironment('vscode', vars(safe)).text), { env: safe });
	assertNotRepresentable(() => exportEnvironment('vscode', vars({ DOLLAR: TRICKY.DOLLAR })), 'DOLLAR');
	assert.deepEqual(JSON.parse(exportEnvironment('vscode', vars({ D: '$HOME $(X) $ {x}' })).text), { env: { D: '$HOME $(X) $ {x}' } });
});

test('bash: a real bash sources the script and sees every value exactly', (t) => {
	const dir = mkdtempSync(join(tmpdir(), 'kubebridge-export-'));
	t.after(() => rmSync(dir, { recursive: true, force: true }));
	const random = fc.sample(fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0')), 30);
	const input = { ...TRICKY, ...Object.fromEntries(random.map((value, i) => [`RANDOM_${i}`, value])) };
	const file = join(dir, 'env.sh');
	writeFileSync(file, exportEnvironment('bash', vars(input)).text);
	const names = Object.keys(input).join(' ');
	const script = `set -eu; source "$1"; for n in ${names}; do printf '%s\\0%s\\0' "$n" "\${!n}"; done`;
	const output = execFileSync('bash', ['-c', script, 'bash', file], { env: {} }).toString('utf8').split('\0');
	const seen = {};
	for (let i = 0; i + 1 < output.length; i += 2) seen[output[i]] = output[i + 1];
	assert.deepEqual(seen, input);
});

test('bash: names a shell cannot export are refused', () => {
	assertNotRepresentable(() => exportEnvironment('bash', vars({ 'my.name': 'x' })), 'my.name');
	assert.deepEqual(exportEnvironment('bash', vars({ 'my.name': 'x', OK: 'y' }), { omitUnrepresentable: true }).omitted.map((o) => o.name), ['my.name']);
});

/** Reads a PowerShell string literal the way PowerShell's tokenizer does (about_Quoting_Rules). */
function readPowershellString(literal) {
	if (literal.startsWith("'")) {
		assert.match(literal, /'$/);
		const body = literal.slice(1, -1);
		assert.doesNotMatch(body.replace(/(['‘’‚‛])\1/g, ''), /['‘’‚‛]/, 'every quote inside is doubled');
		return body.replace(/(['‘’‚‛])\1/g, '$1');
	}
	assert.match(literal, /^".*"$/s);
	const body = literal.slice(1, -1);
	const escapes = { 0: '\0', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
	let out = '';
	for (let i = 0; i < body.length; i++) {
		const char = body[i];
		if (char === '`') {
			const next = body[++i];
			out += escapes[next] ?? next;
		} else if (char === '$') {
			const sub = /^\$\(\[char\]0x([0-9a-f]+)\)/.exec(body.slice(i));
			assert.ok(sub, `an unescaped $ is only a [char] subexpression: ${body.slice(i, i + 12)}`);
			out += String.fromCharCode(parseInt(sub[1], 16));
			i += sub[0].length - 1;
		} else {
			assert.ok(!'"“”„'.includes(char), 'double quotes inside are escaped');
			out += char;
		}
	}
	return out;
}

test('PowerShell: every assignment reads back to the exact value under its quoting rules', () => {
	const input = without(TRICKY, 'EMPTY');
	const { text } = exportEnvironment('powershell', [...vars(input), { name: 'dotted.name', value: 'x' }, { name: 'CTRL', value: 'bell\x07esc\x1b' }]);
	assert.ok(text.startsWith('\uFEFF'));
	const lines = text.slice(1).split('\r\n').filter(Boolean);
	const seen = {};
	for (const line of lines) {
		const simple = /^\$env:([A-Za-z_][A-Za-z0-9_]*) = (.*)$/s.exec(line);
		if (simple) {
			seen[simple[1]] = readPowershellString(simple[2]);
			continue;
		}
		const call = /^\[Environment\]::SetEnvironmentVariable\(('(?:[^']|'')*'), (.*)\)$/s.exec(line);
		assert.ok(call, line);
		seen[readPowershellString(call[1])] = readPowershellString(call[2]);
	}
	assert.deepEqual(seen, { ...input, 'dotted.name': 'x', CTRL: 'bell\x07esc\x1b' });
	assertNotRepresentable(() => exportEnvironment('powershell', vars({ EMPTY: '' })), 'EMPTY');
});

/** Reads one `set "..."` line of a batch file the way cmd does: percent phase, caret and quote phase, then SET. */
function readCmdSet(line) {
	const percent = line.replace(/%%/g, '%');
	assert.doesNotMatch(line.replace(/%%/g, ''), /%/, 'every % is doubled');
	let parsed = '';
	let quoted = false;
	for (let i = 0; i < percent.length; i++) {
		const char = percent[i];
		if (char === '"') quoted = !quoted;
		if (!quoted && char === '^') {
			parsed += percent[++i];
			continue;
		}
		assert.ok(quoted || !'&|<>()'.includes(char), `operator ${char} outside quotes in ${line}`);
		parsed += char;
	}
	const match = /^set "(.*)"[^"]*$/s.exec(parsed);
	assert.ok(match, line);
	const body = match[1];
	const equals = body.indexOf('=');
	return [body.slice(0, equals), body.slice(equals + 1)];
}

test('cmd: every set line reads back to the exact value under its parsing rules', () => {
	const input = without(TRICKY, 'MULTI', 'CRLF', 'EMPTY');
	const odd = { Q1: 'a"b & c', Q2: '"quoted" | piped', Q3: '"', PCT: '%"%"^%' };
	const { text } = exportEnvironment('cmd', vars({ ...input, ...odd }));
	const lines = text.split('\r\n').filter(Boolean);
	assert.deepEqual(lines.slice(0, 2), ['@echo off', 'chcp 65001 >nul']);
	assert.deepEqual(Object.fromEntries(lines.slice(2).map(readCmdSet)), { ...input, ...odd });
	assert.doesNotMatch(exportEnvironment('cmd', vars({ A: 'ascii' })).text, /chcp/);
});

test('cmd: line breaks and empty values are refused rather than corrupted', () => {
	assertNotRepresentable(() => exportEnvironment('cmd', vars({ MULTI: TRICKY.MULTI })), 'MULTI');
	assertNotRepresentable(() => exportEnvironment('cmd', vars({ CR: 'a\rb' })), 'CR');
	assertNotRepresentable(() => exportEnvironment('cmd', vars({ EMPTY: '' })), 'EMPTY');
	const { text, omitted } = exportEnvironment('cmd', vars({ MULTI: 'a\nb', OK: 'fine' }), { omitUnrepresentable: true });
	assert.deepEqual(omitted, [{ name: 'MULTI', why: 'cmd has no way to put a line break in a variable' }]);
	assert.match(text, /set "OK=fine"/);
});
