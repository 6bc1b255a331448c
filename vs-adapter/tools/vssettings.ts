import { writeFileSync } from 'node:fs';

/** The adapter commands Visual Studio users run from the Tools menu. */
const TOOL_VERBS = ['connect', 'disconnect', 'status', 'diagnostics'] as const;
export type ToolVerb = (typeof TOOL_VERBS)[number];

/** One entry of Tools > External Tools, with the fields Visual Studio 2019 exports for it. */
export interface ExternalTool {
	title: string;
	command: string;
	arguments: string;
	initialDirectory: string;
	useOutputWindow: boolean;
	promptForArguments: boolean;
	closeOnExit: boolean;
	saveAllDocs: boolean;
}

const TITLES: Record<ToolVerb, string> = {
	connect: 'kubebridge: Connect',
	disconnect: 'kubebridge: Disconnect',
	status: 'kubebridge: Status',
	diagnostics: 'kubebridge: Diagnostics',
};

/**
 * `$(SolutionDir)` and `$(ProjectDir)` expand with a trailing backslash, and a backslash
 * before a closing quote escapes the quote in Windows' argument parsing (`"C:\src\"` would
 * swallow the rest of the line). The appended `.` names the same folder and ends the
 * argument cleanly; an empty macro (no solution open) becomes `.`, the initial directory.
 */
const folderArgument = (macro: string): string => `"${macro}."`;

/** The four tools, each running `kubebridge-vs <verb>` on the open solution and the selected project. */
export function kubebridgeTools(executable: string): ExternalTool[] {
	return TOOL_VERBS.map((verb) => ({
		title: TITLES[verb],
		command: executable,
		arguments: `${verb} --solution-dir ${folderArgument('$(SolutionDir)')} --project-dir ${folderArgument('$(ProjectDir)')}`,
		initialDirectory: '$(SolutionDir)',
		// Everything the adapter says goes to the Output window, where file(line) lines are clickable.
		useOutputWindow: true,
		promptForArguments: false,
		closeOnExit: true,
		// Connect reads the project files; unsaved edits to them should count.
		saveAllDocs: verb === 'connect',
	}));
}

/** Element text only (no attribute value is generated), so quotes stay literal as in Visual Studio's exports. */
const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const element = (name: string, value: string | boolean | number): string =>
	value === '' ? `<${name}/>` : `<${name}>${escapeXml(String(value))}</${name}>`;

function userCreatedTool(tool: ExternalTool, index: number): string {
	// Visual Studio 2019 exports these children in this (alphabetical) order.
	const children = [
		element('Arguments', tool.arguments),
		element('CloseOnExit', tool.closeOnExit),
		element('Command', tool.command),
		element('Index', index),
		element('InitialDirectory', tool.initialDirectory),
		element('IsGUIapp', false),
		element('NameID', 0),
		element('Package', '{00000000-0000-0000-0000-000000000000}'),
		element('PromptForArguments', tool.promptForArguments),
		element('SaveAllDocs', tool.saveAllDocs),
		element('Title', tool.title),
		element('Unicode', false),
		element('UseOutputWindow', tool.useOutputWindow),
		element('UseTaskList', false),
	];
	return `\t\t\t\t<UserCreatedTool>\r\n${children.map((c) => `\t\t\t\t\t${c}\r\n`).join('')}\t\t\t\t</UserCreatedTool>\r\n`;
}

/**
 * A settings file for Tools > Import and Export Settings holding only External Tools
 * entries. The shape is that of a Visual Studio 2019 export (see vs-adapter/README.md for
 * the sources): `UserSettings` > `Category Environment_Group` > `Category
 * Environment_ExternalTools` (its GUIDs identify the Environment package's settings) >
 * `ExternalTools` > one `UserCreatedTool` per entry. `firstIndex` is the menu position of
 * the first entry.
 */
export function vssettingsXml(tools: ExternalTool[], firstIndex = 0): string {
	return '<?xml version="1.0" encoding="utf-8"?>\r\n'
		+ '<UserSettings>\r\n'
		+ '\t<ApplicationIdentity version="16.0"/>\r\n'
		+ '\t<ToolsOptions>\r\n\t\t<ToolsOptionsCategory name="Environment" RegisteredName="Environment"/>\r\n\t</ToolsOptions>\r\n'
		+ '\t<Category name="Environment_Group" RegisteredName="Environment_Group">\r\n'
		+ '\t\t<Category name="Environment_ExternalTools" Category="{E8FAE9E8-FBA2-4474-B134-AB0FFCFB291D}"'
		+ ' Package="{DA9FB551-C724-11d0-AE1F-00A0C90FFFC3}" RegisteredName="Environment_ExternalTools"'
		+ ' PackageName="Visual Studio Environment Package">\r\n'
		+ '\t\t\t<ExternalTools>\r\n'
		+ tools.map((tool, i) => userCreatedTool(tool, firstIndex + i)).join('')
		+ '\t\t\t</ExternalTools>\r\n'
		+ '\t\t</Category>\r\n'
		+ '\t</Category>\r\n'
		+ '</UserSettings>\r\n';
}

/** Writes the settings file `kubebridge-vs tools` hands to the user. */
export function writeVssettings(path: string, executable: string): void {
	writeFileSync(path, vssettingsXml(kubebridgeTools(executable)));
}
