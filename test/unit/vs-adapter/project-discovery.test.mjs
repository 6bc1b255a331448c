import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discoverWorkspace } from '../../../out/vs-adapter/project/project-discovery.js';
import { parseApplicationUrls } from '../../../out/vs-adapter/project/application-urls.js';
import { KubebridgeError } from '../../../out/server/errors.js';
import {
	COMMENTED_TABBED_LAUNCH_SETTINGS, CMAKE_LAUNCH_VS, NAMED_CSPROJ, NODE_LAUNCH_VS, NODE_TASKS_VS, PYTHON_LAUNCH_VS, SHOP_SLN,
	WEBAPI_LAUNCH_SETTINGS, WEB_CSPROJ, BOM, crlf, tree,
} from './fixtures.mjs';

function withTree(files, body) {
	const t = tree(files);
	try {
		return body(t);
	} finally {
		t.cleanup();
	}
}

const shop = {
	'Shop.sln': SHOP_SLN,
	'src/Shop.Api/Shop.Api.csproj': WEB_CSPROJ,
	'src/Shop.Api/Properties/launchSettings.json': BOM + crlf(WEBAPI_LAUNCH_SETTINGS),
	'src/Shop.Orders/Shop.Orders.csproj': NAMED_CSPROJ,
	'src/Shop.Orders/Properties/launchSettings.json': COMMENTED_TABBED_LAUNCH_SETTINGS,
};

test('a solution lists its projects (not its solution folders) with names, profiles and ports', () => withTree(shop, (t) => {
	const workspace = discoverWorkspace(t.path('Shop.sln'));
	assert.equal(workspace.solution, t.path('Shop.sln'));
	assert.equal(workspace.root, t.root);
	assert.deepEqual(workspace.projects.map((p) => [p.name, p.kind, p.projectFile]), [
		['Shop.Api', 'dotnet', t.path('src/Shop.Api/Shop.Api.csproj')],
		['Shop.Orders.Service', 'dotnet', t.path('src/Shop.Orders/Shop.Orders.csproj')],
	]);
	const api = workspace.projects[0];
	assert.deepEqual(api.launchSettings.profiles.map((p) => [p.name, p.commandName]), [['IIS Express', 'IISExpress'], ['Shop.Api', 'Project']]);
	assert.deepEqual(api.launchSettings.profiles[1].urls.map((u) => [u.scheme, u.port]), [['https', 5001], ['http', 5000]]);
	assert.deepEqual(api.launchSettings.iisExpress.map((u) => [u.scheme, u.port]), [['http', 61496], ['https', 44310]]);
	assert.equal(api.launchSettings.profiles[1].line, 20);
	// The Kestrel profile's plain-http port, not IIS Express's and not https.
	assert.equal(api.proposedPort, 5000);
	const orders = workspace.projects[1];
	assert.deepEqual(orders.launchSettings.profiles.map((p) => p.name), ['IIS Express', 'Shop.Web', 'Docker']);
	assert.equal(orders.proposedPort, 5080);
}));

test('a folder with one solution is read as that solution; with a project file, as that project', () => {
	withTree(shop, (t) => assert.equal(discoverWorkspace(t.root).projects.length, 2));
	withTree({ 'Api.csproj': WEB_CSPROJ, 'Properties/launchSettings.json': WEBAPI_LAUNCH_SETTINGS }, (t) => {
		const [project] = discoverWorkspace(t.root).projects;
		assert.equal(project.name, 'Api');
		assert.equal(project.proposedPort, 5000);
		assert.equal(discoverWorkspace(t.path('Api.csproj')).projects[0].launchSettings.file, t.path('Properties/launchSettings.json'));
	});
});

test('a Visual Basic project keeps its launch settings under My Project', () => withTree({
	'Legacy.vbproj': WEB_CSPROJ, 'My Project/launchSettings.json': WEBAPI_LAUNCH_SETTINGS,
}, (t) => assert.equal(discoverWorkspace(t.root).projects[0].proposedPort, 5000)));

test('a project without launchSettings.json has no profiles and no port to propose', () => withTree({ 'Worker.csproj': WEB_CSPROJ }, (t) => {
	const [project] = discoverWorkspace(t.root).projects;
	assert.equal(project.launchSettings, null);
	assert.equal(project.proposedPort, null);
}));

test('Open Folder projects: Node, CMake and Python with their launch.vs.json and tasks.vs.json', () => {
	withTree({ 'package.json': '{ "name": "@shop/catalog", "version": "1.0.0" }', '.vs/launch.vs.json': crlf(NODE_LAUNCH_VS), '.vs/tasks.vs.json': NODE_TASKS_VS }, (t) => {
		const [project] = discoverWorkspace(t.root).projects;
		assert.deepEqual([project.name, project.kind, project.projectFile], ['catalog', 'node', null]);
		assert.deepEqual(project.openFolder.configurations.map((c) => [c.name, c.type, c.starts]), [['server.js', 'default', 'server.js']]);
		assert.deepEqual(project.openFolder.configurations[0].env, { PORT: '3000', NODE_ENV: 'development' });
		assert.deepEqual(project.openFolder.tasks.map((task) => [task.label, task.appliesTo]), [['npm install', 'package.json']]);
		assert.equal(project.proposedPort, 3000);
	});
	withTree({ 'CMakeLists.txt': '# orders\ncmake_minimum_required(VERSION 3.8)\nproject ("orders-svc" CXX)\n', '.vs/launch.vs.json': CMAKE_LAUNCH_VS }, (t) => {
		const [project] = discoverWorkspace(t.root).projects;
		assert.deepEqual([project.name, project.kind], ['orders-svc', 'cmake']);
		assert.equal(project.openFolder.configurations[0].starts, 'orders.exe (src\\orders.exe)');
	});
	withTree({ 'pyproject.toml': '[build-system]\nrequires = []\n\n[project]\nname = "pricing"\n', '.vs/launch.vs.json': BOM + PYTHON_LAUNCH_VS }, (t) => {
		const [project] = discoverWorkspace(t.root).projects;
		assert.deepEqual([project.name, project.kind], ['pricing', 'python']);
		assert.equal(project.openFolder.configurations[0].type, 'python');
		assert.equal(project.openFolder.launchFile, t.path('.vs/launch.vs.json'));
	});
});

function assertProjectFileInvalid(fn, file, line) {
	assert.throws(fn, (error) => {
		assert.ok(error instanceof KubebridgeError);
		assert.equal(error.code, -33601);
		assert.equal(error.reason, 'projectFileInvalid');
		assert.equal(error.data.file, file);
		assert.equal(error.data.line, line);
		assert.ok(error.message.startsWith(`${file} line ${line}: `), error.message);
		return true;
	});
}

test('a launchSettings.json with a syntax error is a typed error naming file and line', () => withTree({
	'Api.csproj': WEB_CSPROJ,
	'Properties/launchSettings.json': crlf('{\n  "profiles": {\n    "Api": {\n      "commandName": "Project"\n      "applicationUrl": "http://localhost:5000"\n    }\n  }\n}\n'),
}, (t) => assertProjectFileInvalid(() => discoverWorkspace(t.root), t.path('Properties/launchSettings.json'), 5)));

test('a launchSettings.json of the wrong shape names the field and its line', () => withTree({
	'Api.csproj': WEB_CSPROJ, 'Properties/launchSettings.json': '{\n  // profiles must be an object\n  "profiles": []\n}',
}, (t) => assertProjectFileInvalid(() => discoverWorkspace(t.root), t.path('Properties/launchSettings.json'), 3)));

test('a launch.vs.json that does not parse names file and line', () => withTree({
	'package.json': '{"name":"x"}', '.vs/launch.vs.json': '{\n  "configurations": [\n    { "name": "a", }\n    { "name": "b" }\n  ]\n}',
}, (t) => assertProjectFileInvalid(() => discoverWorkspace(t.root), t.path('.vs/launch.vs.json'), 4)));

test('a UTF-16 file is refused with a way out rather than misread', () => withTree({
	'Api.csproj': WEB_CSPROJ,
	'Properties/launchSettings.json': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"profiles":{}}', 'utf16le')]),
}, (t) => assert.throws(() => discoverWorkspace(t.root), (e) => e.reason === 'projectFileInvalid' && /UTF-16/.test(e.message))));

test('a broken solution names the bad line', () => {
	withTree({ 'Bad.sln': crlf('\nMicrosoft Visual Studio Solution File, Format Version 12.00\nProject("{9A19103F-16F7-4668-BE54-9A1E7A4F7556}") = "Api", "Api.csproj"\nEndProject\n') },
		(t) => assertProjectFileInvalid(() => discoverWorkspace(t.path('Bad.sln')), t.path('Bad.sln'), 3));
	withTree({ 'Bad.sln': 'not a solution\n' }, (t) => assertProjectFileInvalid(() => discoverWorkspace(t.path('Bad.sln')), t.path('Bad.sln'), 1));
	withTree({ 'Bad.sln': 'Microsoft Visual Studio Solution File, Format Version 12.00\nProject("{9A19103F-16F7-4668-BE54-9A1E7A4F7556}") = "Api", "Api.csproj", "{8C1A4A9E-3C66-4E0C-9C1B-0C9E1F3B6A11}"\n' },
		(t) => assertProjectFileInvalid(() => discoverWorkspace(t.path('Bad.sln')), t.path('Bad.sln'), 2));
});

test('paths that hold nothing Visual Studio opens are projectNotFound', () => {
	withTree({ 'notes.txt': 'hello' }, (t) => {
		assert.throws(() => discoverWorkspace(t.root), (e) => e.code === -33600 && e.reason === 'projectNotFound' && e.data.file === t.root);
		assert.throws(() => discoverWorkspace(t.path('notes.txt')), (e) => e.reason === 'projectNotFound');
		assert.throws(() => discoverWorkspace(t.path('missing.sln')), (e) => e.reason === 'projectNotFound' && /no such file/.test(e.message));
	});
	withTree({ 'A.sln': SHOP_SLN, 'B.sln': SHOP_SLN }, (t) => assert.throws(() => discoverWorkspace(t.root), (e) => /A\.sln, B\.sln/.test(e.message)));
});

test('applicationUrl values: several URLs, wildcard hosts, IPv6, default ports, junk skipped', () => {
	assert.deepEqual(parseApplicationUrls('https://localhost:5001;http://localhost:5000').map((u) => u.port), [5001, 5000]);
	assert.deepEqual(parseApplicationUrls('http://*:8080; http://+:81;http://[::]:9000/base').map((u) => [u.host, u.port]), [['*', 8080], ['+', 81], ['[::]', 9000]]);
	assert.deepEqual(parseApplicationUrls('http://localhost;https://localhost').map((u) => u.port), [80, 443]);
	assert.deepEqual(parseApplicationUrls('$(ASPNETCORE_URLS);localhost:5000;http://localhost:99999'), []);
});
