import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubebridgeTools, vssettingsXml, writeVssettings } from '../../../out/vs-adapter/tools/vssettings.js';
import { childrenNamed, parseStrictXml } from './strict-xml.mjs';

const EXE = 'C:\\Program Files\\kubebridge\\kubebridge-vs.exe';

function externalTools(xml) {
	const root = parseStrictXml(xml);
	assert.equal(root.name, 'UserSettings');
	assert.equal(childrenNamed(root, 'ApplicationIdentity')[0].attributes.version, '16.0', 'Visual Studio 2019');
	const [group] = childrenNamed(root, 'Category').filter((c) => c.attributes.name === 'Environment_Group');
	const [category] = childrenNamed(group, 'Category').filter((c) => c.attributes.name === 'Environment_ExternalTools');
	// The identity Visual Studio's Environment package exports External Tools under.
	assert.deepEqual(category.attributes, {
		name: 'Environment_ExternalTools', Category: '{E8FAE9E8-FBA2-4474-B134-AB0FFCFB291D}', Package: '{DA9FB551-C724-11d0-AE1F-00A0C90FFFC3}',
		RegisteredName: 'Environment_ExternalTools', PackageName: 'Visual Studio Environment Package',
	});
	const [list] = childrenNamed(category, 'ExternalTools');
	return childrenNamed(list, 'UserCreatedTool').map((tool) => Object.fromEntries(tool.children.map((c) => [c.name, c.text])));
}

test('the .vssettings file is well-formed XML with the four External Tools entries', () => {
	const folder = mkdtempSync(join(tmpdir(), 'kb-vssettings-'));
	try {
		const path = join(folder, 'kubebridge.vssettings');
		writeVssettings(path, EXE);
		const tools = externalTools(readFileSync(path, 'utf8'));
		assert.deepEqual(tools.map((t) => t.Title), ['kubebridge: Connect', 'kubebridge: Disconnect', 'kubebridge: Status', 'kubebridge: Diagnostics']);
		assert.deepEqual(tools.map((t) => t.Index), ['0', '1', '2', '3']);
		for (const tool of tools) {
			const verb = tool.Title.split(': ')[1].toLowerCase();
			assert.equal(tool.Command, EXE);
			assert.equal(tool.Arguments, `${verb} --solution-dir "$(SolutionDir)." --project-dir "$(ProjectDir)."`);
			assert.equal(tool.InitialDirectory, '$(SolutionDir)');
			assert.equal(tool.UseOutputWindow, 'true');
			assert.equal(tool.PromptForArguments, 'false');
			assert.equal(tool.IsGUIapp, 'false');
			assert.equal(tool.Package, '{00000000-0000-0000-0000-000000000000}');
			// Every field Visual Studio 2019 writes for a user-created tool, in its order.
			assert.deepEqual(Object.keys(tool), ['Arguments', 'CloseOnExit', 'Command', 'Index', 'InitialDirectory', 'IsGUIapp', 'NameID', 'Package',
				'PromptForArguments', 'SaveAllDocs', 'Title', 'Unicode', 'UseOutputWindow', 'UseTaskList']);
		}
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
});

test('paths and arguments with XML-special characters are escaped, not broken', () => {
	const tools = kubebridgeTools('C:\\Tools & Co\\<kb>\\kubebridge-vs.exe').map((t) => ({ ...t, title: `${t.title} "beta"` }));
	const parsed = externalTools(vssettingsXml(tools, 5));
	assert.equal(parsed[0].Command, 'C:\\Tools & Co\\<kb>\\kubebridge-vs.exe');
	assert.equal(parsed[0].Title, 'kubebridge: Connect "beta"');
	assert.equal(parsed[3].Index, '8');
});

test('the strict reader refuses what Visual Studio would refuse', () => {
	for (const bad of ['<a><b></a>', '<a>&nbsp;</a>', '<a x=1/>', '<a x="1" x="2"/>', '<a/><b/>', '<a>1 < 2</a>', '<a', '']) {
		assert.throws(() => parseStrictXml(bad), undefined, bad);
	}
	assert.equal(parseStrictXml('<?xml version="1.0" encoding="utf-8"?>\r\n<!-- c --><a b="&amp;&#65;"><c/>t&lt;</a>').attributes.b, '&A');
});
