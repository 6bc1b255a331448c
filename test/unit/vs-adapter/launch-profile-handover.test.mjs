import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import {
	installLaunchProfile, recoverStaleLaunchProfiles, removeLaunchProfile,
} from '../../../out/vs-adapter/profiles/profile-handover.js';
import { profileNameFor } from '../../../out/vs-adapter/profiles/profile-edit.js';
import { readLaunchSettings } from '../../../out/vs-adapter/project/launch-settings.js';
import { readLaunchVs } from '../../../out/vs-adapter/project/open-folder.js';
import { readTextFile } from '../../../out/vs-adapter/project/text-file.js';
import {
	BOM, CMAKE_LAUNCH_VS, COMMENTED_TABBED_LAUNCH_SETTINGS, EMPTY_PROFILES_LAUNCH_SETTINGS, NODE_LAUNCH_VS, NO_PROFILES_LAUNCH_SETTINGS,
	PYTHON_LAUNCH_VS, WEBAPI_LAUNCH_SETTINGS, crlf, tree,
} from './fixtures.mjs';

// Values a real cluster environment holds: quotes, backslashes, newlines, unicode, `$` and `%`.
const ENV = {
	ConnectionStrings__Orders: 'Server=db;Password="p@ss;word"',
	WINDOWS_PATH: 'C:\\data\\orders',
	MULTI_LINE: 'line one\nline two',
	GREETING: 'grüß dich ✓',
	TEMPLATE: '$(NOT_EXPANDED) %PATH%',
	KUBEBRIDGE_VOLUME_ROOT: 'C:\\Users\\dev\\AppData\\Local\\Temp\\kubebridge\\volumes\\s1',
};
const SECRET = 'p@ss;word';

/** Runs a test body on a fresh project tree with its own record folder, both removed afterwards. */
function inScratch(files, body) {
	const t = tree(files);
	const records = mkdtempSync(join(tmpdir(), 'kb-vs-records-'));
	try {
		return body({ ...t, records });
	} finally {
		t.cleanup();
		rmSync(records, { recursive: true, force: true });
	}
}

/** The hand-over of `kubebridge: api` into a launchSettings.json, with the given environment. */
const apiProfile = (s, file, env = {}) => ({
	file, kind: 'launchSettings', entry: 'kubebridge: api', recordDirectory: s.records, content: { env, applicationUrl: null, baseConfiguration: null },
});

/** The edit must be a pure insertion: the original is the new text with one span taken out. */
function assertPureInsertion(before, after) {
	let start = 0;
	while (start < before.length && before[start] === after[start]) start++;
	let end = 0;
	while (end < before.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
	assert.equal(start + end, before.length, 'every original byte is still there, in order, around one inserted span');
}

const LAUNCH_SETTINGS_CASES = [
	['ASP.NET Core web API template (LF, 2 spaces)', WEBAPI_LAUNCH_SETTINGS, '\n'],
	['the template as Visual Studio saves it on Windows (BOM, CRLF)', BOM + crlf(WEBAPI_LAUNCH_SETTINGS), '\r\n'],
	['no final newline, CRLF', crlf(WEBAPI_LAUNCH_SETTINGS.trimEnd()), '\r\n'],
	['tabs, comments, trailing commas, a Docker profile, no final newline', COMMENTED_TABBED_LAUNCH_SETTINGS, '\n'],
	['four spaces and an empty profile list', EMPTY_PROFILES_LAUNCH_SETTINGS, '\n'],
	['no "profiles" at all', NO_PROFILES_LAUNCH_SETTINGS, '\n'],
];

for (const [name, content, eol] of LAUNCH_SETTINGS_CASES) {
	test(`launchSettings.json round trip: ${name}`, () => inScratch({ 'Api/Properties/launchSettings.json': content }, (s) => {
		const file = s.path('Api/Properties/launchSettings.json');
		const before = readFileSync(file);
		const profilesBefore = readLaunchSettings(readTextFile(file)).profiles;
		const entry = profileNameFor('api');
		const installed = installLaunchProfile({
			file, kind: 'launchSettings', entry, recordDirectory: s.records,
			content: { env: ENV, applicationUrl: 'http://localhost:8080', baseConfiguration: null },
		});
		assert.deepEqual(installed, { file, entry: 'kubebridge: api', createdFile: false });

		const after = readFileSync(file);
		assert.equal(after.subarray(0, 3).equals(Buffer.from(BOM)), before.subarray(0, 3).equals(Buffer.from(BOM)), 'BOM kept as it was');
		const afterText = after.toString('utf8');
		assertPureInsertion(before.toString('utf8'), afterText);
		const inserted = afterText.slice(afterText.indexOf('"kubebridge: api"'));
		if (eol === '\r\n') assert.ok(!/[^\r]\n/.test(inserted), 'the inserted lines end in CRLF like the rest');
		else assert.ok(!inserted.includes('\r'), 'the inserted lines end in LF like the rest');
		if (content.includes('\t"profiles"')) assert.match(inserted, /\n\t\t\t"commandName"/, 'tab indentation');

		const settings = readLaunchSettings(readTextFile(file));
		assert.deepEqual(settings.profiles.slice(0, -1), profilesBefore, 'the other profiles are as they were');
		const profile = settings.profiles.at(-1);
		assert.equal(profile.name, 'kubebridge: api');
		assert.equal(profile.commandName, 'Project');
		assert.deepEqual(profile.environmentVariables, ENV);
		assert.deepEqual(profile.urls.map((u) => u.port), [8080]);
		// What Visual Studio parses: the same JSON, values intact.
		const parsed = parse(afterText.replace(/^\uFEFF/, ''), [], { allowTrailingComma: true });
		assert.equal(parsed.profiles['kubebridge: api'].launchBrowser, false);
		assert.deepEqual(parsed.profiles['kubebridge: api'].environmentVariables, ENV);

		assert.deepEqual(removeLaunchProfile(file, { recordDirectory: s.records }), { file, entry, outcome: 'restored' });
		assert.ok(readFileSync(file).equals(before), 'byte-identical after removal');
		assert.deepEqual(readdirSync(s.records), [], 'the record is gone');
		assert.equal(removeLaunchProfile(file, { recordDirectory: s.records }), null, 'a second disconnect has nothing to do');
	}));
}

const LAUNCH_VS_CASES = [
	['CMake', CMAKE_LAUNCH_VS, 'orders.exe (src\\orders.exe)'],
	['Node.js with comments and CRLF', crlf(NODE_LAUNCH_VS), 'server.js'],
	['Python with tabs and a BOM', BOM + PYTHON_LAUNCH_VS, 'app.py'],
];

for (const [name, content, base] of LAUNCH_VS_CASES) {
	test(`launch.vs.json round trip: ${name}`, () => inScratch({ '.vs/launch.vs.json': content }, (s) => {
		const file = s.path('.vs/launch.vs.json');
		const before = readFileSync(file);
		const [original] = readLaunchVs(file);
		installLaunchProfile({
			file, kind: 'launchVs', entry: 'kubebridge: orders', recordDirectory: s.records,
			content: { env: ENV, applicationUrl: null, baseConfiguration: null },
		});
		assertPureInsertion(before.toString('utf8'), readFileSync(file, 'utf8'));
		const configurations = readLaunchVs(file);
		assert.deepEqual(configurations[0], original, 'the user\'s configuration is untouched');
		const added = configurations[1];
		assert.equal(added.name, 'kubebridge: orders');
		assert.equal(added.type, original.type, 'copied from the user\'s configuration');
		assert.equal(added.starts, base);
		assert.deepEqual(added.env, { ...original.env, ...ENV }, 'the cluster env over the configuration\'s own');
		assert.equal(removeLaunchProfile(file, { recordDirectory: s.records }).outcome, 'restored');
		assert.ok(readFileSync(file).equals(before), 'byte-identical after removal');
	}));
}

test('launch.vs.json: the configuration to copy is chosen by name, and a missing one is a typed error', () => inScratch({ '.vs/launch.vs.json': CMAKE_LAUNCH_VS }, (s) => {
	const file = s.path('.vs/launch.vs.json');
	assert.throws(() => installLaunchProfile({
		file, kind: 'launchVs', entry: 'kubebridge: orders', recordDirectory: s.records,
		content: { env: {}, applicationUrl: null, baseConfiguration: 'nope' },
	}), (e) => e.code === -33600 && e.reason === 'launchConfigurationNotFound' && /'nope'/.test(e.message));
	assert.deepEqual(readdirSync(s.records), [], 'a refused hand-over leaves no record');
	assert.ok(readFileSync(file, 'utf8') === CMAKE_LAUNCH_VS, 'and no edit');
	assert.throws(() => installLaunchProfile({
		file: s.path('elsewhere/.vs/launch.vs.json'), kind: 'launchVs', entry: 'kubebridge: orders', recordDirectory: s.records,
		content: { env: {}, applicationUrl: null, baseConfiguration: null },
	}), (e) => e.reason === 'launchConfigurationNotFound');
	assert.equal(existsSync(s.path('elsewhere')), false);
}));

test('a project without launchSettings.json gets one, and it goes again with the Properties folder kubebridge made', () => inScratch({ 'Api/Api.csproj': '<Project Sdk="Microsoft.NET.Sdk.Web"/>' }, (s) => {
	const file = s.path('Api/Properties/launchSettings.json');
	const installed = installLaunchProfile(apiProfile(s, file, { A: '1' }));
	assert.equal(installed.createdFile, true);
	const created = parse(readFileSync(file, 'utf8'));
	assert.deepEqual(created, { profiles: { 'kubebridge: api': { commandName: 'Project', launchBrowser: false, environmentVariables: { A: '1' } } } });
	assert.equal(removeLaunchProfile(file, { recordDirectory: s.records }).outcome, 'restored');
	assert.equal(existsSync(s.path('Api/Properties')), false, 'the Properties folder kubebridge created is gone');
	assert.deepEqual(readdirSync(s.path('Api')), ['Api.csproj']);
}));

test('a Properties folder the user filled meanwhile stays', () => inScratch({ 'Api/Api.csproj': '<Project/>' }, (s) => {
	const file = s.path('Api/Properties/launchSettings.json');
	installLaunchProfile(apiProfile(s, file));
	writeFileSync(s.path('Api/Properties/PublishProfiles.txt'), 'mine');
	removeLaunchProfile(file, { recordDirectory: s.records });
	assert.equal(existsSync(file), false);
	assert.deepEqual(readdirSync(s.path('Api/Properties')), ['PublishProfiles.txt']);
}));

test('edits the user made during the session survive; only kubebridge\'s profile is taken out', () => inScratch({ 'Properties/launchSettings.json': WEBAPI_LAUNCH_SETTINGS }, (s) => {
	const file = s.path('Properties/launchSettings.json');
	installLaunchProfile(apiProfile(s, file, ENV));
	const edited = readFileSync(file, 'utf8').replace('"launchUrl": "swagger",\n      "applicationUrl"', '"launchUrl": "health",\n      "applicationUrl"');
	writeFileSync(file, edited);
	assert.equal(removeLaunchProfile(file, { recordDirectory: s.records }).outcome, 'profileRemoved');
	assert.equal(readFileSync(file, 'utf8'), WEBAPI_LAUNCH_SETTINGS.replace('"launchUrl": "swagger",\n      "applicationUrl"', '"launchUrl": "health",\n      "applicationUrl"'));
}));

test('a profile the user already deleted, or a file deleted, is reported as already gone', () => inScratch({ 'Properties/launchSettings.json': WEBAPI_LAUNCH_SETTINGS }, (s) => {
	const file = s.path('Properties/launchSettings.json');
	const options = apiProfile(s, file);
	installLaunchProfile(options);
	writeFileSync(file, WEBAPI_LAUNCH_SETTINGS.replace('"sslPort": 44310', '"sslPort": 44311'));
	assert.equal(removeLaunchProfile(file, { recordDirectory: s.records }).outcome, 'alreadyGone');
	installLaunchProfile(options);
	rmSync(file);
	assert.equal(removeLaunchProfile(file, { recordDirectory: s.records }).outcome, 'alreadyGone');
	assert.deepEqual(readdirSync(s.records), []);
}));

const FOREIGN_PROFILE = WEBAPI_LAUNCH_SETTINGS.replace('"Shop.Api": {', '"kubebridge: api": {');
test('a same-named profile kubebridge did not write is not overwritten', () => inScratch({ 'Properties/launchSettings.json': FOREIGN_PROFILE }, (s) => {
	const file = s.path('Properties/launchSettings.json');
	assert.throws(() => installLaunchProfile(apiProfile(s, file)), (e) => e.code === -33602 && e.reason === 'launchProfileExists' && e.data.file === file && e.data.line === 20);
	assert.equal(readFileSync(file, 'utf8'), FOREIGN_PROFILE);
	assert.deepEqual(readdirSync(s.records), []);
}));

/** The pid of a process that has exited: what a `kill -9`ed session leaves in its record. */
function deadPid() {
	return spawnSync(process.execPath, ['-e', '']).pid;
}

test('after a crash (kill -9), the next start removes the stale profile and restores the bytes', () => inScratch({
		'Api/Properties/launchSettings.json': BOM + crlf(WEBAPI_LAUNCH_SETTINGS),
		'Worker/Worker.csproj': '<Project/>',
		'Live/Properties/launchSettings.json': EMPTY_PROFILES_LAUNCH_SETTINGS,
	}, (s) => {
	const api = s.path('Api/Properties/launchSettings.json');
	const worker = s.path('Worker/Properties/launchSettings.json');
	const live = s.path('Live/Properties/launchSettings.json');
	const before = readFileSync(api);
	const crashed = deadPid();
	const content = { env: ENV, applicationUrl: 'http://localhost:8080', baseConfiguration: null };
	installLaunchProfile({ file: api, kind: 'launchSettings', entry: 'kubebridge: api', recordDirectory: s.records, ownerPid: crashed, content });
	installLaunchProfile({ file: worker, kind: 'launchSettings', entry: 'kubebridge: worker', recordDirectory: s.records, ownerPid: crashed, content });
	installLaunchProfile({ file: live, kind: 'launchSettings', entry: 'kubebridge: live', recordDirectory: s.records, content });
	writeFileSync(join(s.records, 'garbage.json'), '{"version": 1, "file": ');

	const report = recoverStaleLaunchProfiles({ recordDirectory: s.records });
	assert.deepEqual(report.removed.map((r) => [r.file, r.outcome]).sort(), [[api, 'restored'], [worker, 'restored']].sort());
	assert.deepEqual(report.failed, []);
	assert.deepEqual(report.droppedRecords, [join(s.records, 'garbage.json')]);
	assert.ok(readFileSync(api).equals(before), 'the crashed session\'s file is byte-identical again');
	assert.equal(existsSync(s.path('Worker/Properties')), false, 'the file and folder it created are gone');
	assert.match(readFileSync(live, 'utf8'), /kubebridge: live/, 'a live session keeps its profile');
	assert.equal(readdirSync(s.records).length, 1);
	removeLaunchProfile(live, { recordDirectory: s.records });
	assert.equal(readFileSync(live, 'utf8'), EMPTY_PROFILES_LAUNCH_SETTINGS);
}));

test('connecting again after a crash replaces the stale profile instead of refusing', () => inScratch({ 'Properties/launchSettings.json': WEBAPI_LAUNCH_SETTINGS }, (s) => {
	const file = s.path('Properties/launchSettings.json');
	const request = apiProfile(s, file, { V: '1' });
	installLaunchProfile({ ...request, ownerPid: deadPid() });
	installLaunchProfile({ ...request, content: { ...request.content, env: { V: '2' } } });
	const profiles = readLaunchSettings(readTextFile(file)).profiles.filter((p) => p.name === 'kubebridge: api');
	assert.deepEqual(profiles.map((p) => p.environmentVariables), [{ V: '2' }], 'one profile, the new one');
	removeLaunchProfile(file, { recordDirectory: s.records });
	assert.equal(readFileSync(file, 'utf8'), WEBAPI_LAUNCH_SETTINGS);
}));

test('another live session\'s profile in the same file is a conflict', () => inScratch({ 'Properties/launchSettings.json': WEBAPI_LAUNCH_SETTINGS }, (s) => {
	const file = s.path('Properties/launchSettings.json');
	const request = apiProfile(s, file);
	installLaunchProfile({ ...request, ownerPid: process.ppid });
	assert.throws(() => installLaunchProfile(request), (e) => e.code === -33602 && e.reason === 'launchProfileInUse' && e.message.includes(String(process.ppid)));
	removeLaunchProfile(file, { recordDirectory: s.records });
	assert.equal(readFileSync(file, 'utf8'), WEBAPI_LAUNCH_SETTINGS);
}));

test('the record is owner-only and holds the original file, never the environment', { skip: process.platform === 'win32' && 'POSIX modes' }, () => inScratch({ 'Properties/launchSettings.json': WEBAPI_LAUNCH_SETTINGS }, (s) => {
	const file = s.path('Properties/launchSettings.json');
	installLaunchProfile(apiProfile(s, file, ENV));
	const [name] = readdirSync(s.records);
	assert.equal(statSync(s.records).mode & 0o777, 0o700);
	assert.equal(statSync(join(s.records, name)).mode & 0o777, 0o600);
	const record = JSON.parse(readFileSync(join(s.records, name), 'utf8'));
	assert.equal(Buffer.from(record.original, 'base64').toString('utf8'), WEBAPI_LAUNCH_SETTINGS);
	assert.ok(!readFileSync(join(s.records, name), 'utf8').includes(SECRET));
	removeLaunchProfile(file, { recordDirectory: s.records });
}));

// A file where the folder should be: refused as a read-only folder is, but root cannot bypass it.
test('a launch profile that cannot be written is a typed error and leaves no record', () => inScratch({ 'Properties': 'not a folder' }, (s) => {
	const file = s.path('Properties/launchSettings.json');
	assert.throws(() => installLaunchProfile(apiProfile(s, file)), (e) => e.code === -33603 && e.reason === 'projectFileNotWritable' && e.data.file === file);
	assert.deepEqual(readdirSync(s.records), []);
	assert.equal(readFileSync(s.path('Properties'), 'utf8'), 'not a folder');
}));
