import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Node } from 'jsonc-parser';
import { nodeOfType, parseJsonc, positionOf, properties, stringProperty } from './jsonc-document.js';
import { readTextFile } from './text-file.js';

/** What an Open Folder root is, judged from the files Visual Studio itself keys on. */
export type OpenFolderKind = 'cmake' | 'node' | 'python';

/** One debug configuration of `.vs/launch.vs.json`. */
export interface DebugConfiguration {
	name: string;
	/** `default`, `cppdbg`, `cppvsdbg`, `python`, ... as written; `null` when absent. */
	type: string | null;
	/** The file or target it starts (`project`, `projectTarget` or `program`). */
	starts: string | null;
	env: Record<string, string>;
	line: number;
}

/** One task of `.vs/tasks.vs.json`. */
export interface FolderTask {
	label: string;
	appliesTo: string | null;
	line: number;
}

export interface OpenFolderSettings {
	launchFile: string | null;
	configurations: DebugConfiguration[];
	tasksFile: string | null;
	tasks: FolderTask[];
}

/** Visual Studio keeps a folder's debug and task settings in its `.vs` folder. */
export const launchVsPath = (root: string): string => join(root, '.vs', 'launch.vs.json');
const tasksVsPath = (root: string): string => join(root, '.vs', 'tasks.vs.json');

function stringMap(node: Node | undefined): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of node?.type === 'object' ? properties(node) : []) {
		if (value.type === 'string' || value.type === 'number' || value.type === 'boolean') out[key] = String(value.value);
	}
	return out;
}

export function readLaunchVs(path: string): DebugConfiguration[] {
	const doc = parseJsonc(readTextFile(path));
	const list = nodeOfType(doc, ['configurations'], 'array', '"configurations"');
	const configurations: DebugConfiguration[] = [];
	for (const item of list?.children ?? []) {
		if (item.type !== 'object') continue;
		const envNode = properties(item).find(([key]) => key === 'env')?.[1];
		// The Python workload writes `"projectTarget": ""`; an empty value names nothing.
		const first = (...keys: string[]): string | null => keys.map((key) => stringProperty(item, key)).find((value) => value) ?? null;
		configurations.push({
			name: first('name', 'projectTarget', 'project') ?? '',
			type: stringProperty(item, 'type'),
			starts: first('projectTarget', 'project', 'program'),
			env: stringMap(envNode),
			line: positionOf(doc, item).line,
		});
	}
	return configurations;
}

function readTasksVs(path: string): FolderTask[] {
	const doc = parseJsonc(readTextFile(path));
	const list = nodeOfType(doc, ['tasks'], 'array', '"tasks"');
	return (list?.children ?? []).filter((item) => item.type === 'object').map((item) => ({
		label: stringProperty(item, 'taskLabel') ?? stringProperty(item, 'taskName') ?? '',
		appliesTo: stringProperty(item, 'appliesTo'),
		line: positionOf(doc, item).line,
	}));
}

export function readOpenFolderSettings(root: string): OpenFolderSettings {
	const launchFile = existsSync(launchVsPath(root)) ? launchVsPath(root) : null;
	const tasksFile = existsSync(tasksVsPath(root)) ? tasksVsPath(root) : null;
	return {
		launchFile,
		configurations: launchFile ? readLaunchVs(launchFile) : [],
		tasksFile,
		tasks: tasksFile ? readTasksVs(tasksFile) : [],
	};
}

/** The kind of an Open Folder root, or `null` when nothing says; CMake first, as Visual Studio checks it first. */
export function openFolderKind(root: string): OpenFolderKind | null {
	if (existsSync(join(root, 'CMakeLists.txt'))) return 'cmake';
	if (existsSync(join(root, 'package.json'))) return 'node';
	if (['pyproject.toml', 'requirements.txt', 'setup.py'].some((f) => existsSync(join(root, f)))) return 'python';
	if (readdirSync(root).some((f) => f.endsWith('.py'))) return 'python';
	return null;
}

/** The name the folder's own build files give it: package.json's `name`, CMake's `project()`, pyproject's `name`. */
export function openFolderName(root: string, kind: OpenFolderKind | null): string {
	const fallback = basename(root);
	if (kind === 'node') {
		const doc = parseJsonc(readTextFile(join(root, 'package.json')));
		const name = stringProperty(doc.root, 'name');
		// A scoped package (`@shop/api`) is known in the cluster by its last part.
		return name ? name.replace(/^@[^/]+\//, '') : fallback;
	}
	if (kind === 'cmake') {
		const text = readTextFile(join(root, 'CMakeLists.txt')).text.replace(/#.*$/gm, '');
		return /^\s*project\s*\(\s*"?([A-Za-z0-9_.+-]+)/im.exec(text)?.[1] ?? fallback;
	}
	if (kind === 'python' && existsSync(join(root, 'pyproject.toml'))) {
		const text = readTextFile(join(root, 'pyproject.toml')).text;
		return /^\[(?:project|tool\.poetry)\][^[]*?^name\s*=\s*["']([^"']+)["']/m.exec(text)?.[1] ?? fallback;
	}
	return fallback;
}

/** A `PORT` a debug configuration sets is where a Node or Python server listens. */
export function proposeFolderPort(configurations: DebugConfiguration[]): number | null {
	for (const configuration of configurations) {
		const port = Number(configuration.env.PORT);
		if (Number.isInteger(port) && port > 0 && port <= 65535) return port;
	}
	return null;
}
