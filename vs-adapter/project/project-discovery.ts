import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { projectNotFound } from '../errors.js';
import { proposePort, readLaunchSettings, type LaunchSettings } from './launch-settings.js';
import { projectName } from './msbuild-project.js';
import {
	openFolderKind, openFolderName, proposeFolderPort, readOpenFolderSettings, type OpenFolderKind, type OpenFolderSettings,
} from './open-folder.js';
import { parseSolution } from './solution-file.js';
import { readTextFile } from './text-file.js';

export type ProjectKind = 'dotnet' | 'node' | 'python' | 'cpp' | OpenFolderKind | 'other';

/** What Visual Studio knows about one project: enough to propose a service and a local port. */
export interface ProjectInfo {
	/** `AssemblyName`, else the project file's name; for Open Folder, the build files' name or the folder's. */
	name: string;
	kind: ProjectKind;
	/** The `.csproj` (or other project file); `null` for an Open Folder root. */
	projectFile: string | null;
	directory: string;
	/** `launchSettings.json` of a .NET project, when it has one. */
	launchSettings: LaunchSettings | null;
	/** `.vs/launch.vs.json` and `.vs/tasks.vs.json` of an Open Folder root. */
	openFolder: OpenFolderSettings | null;
	/** Where the app listens when Visual Studio starts it, the local port to redirect the service to. */
	proposedPort: number | null;
}

export interface WorkspaceInfo {
	/** The folder the user works in: the solution's, the project's, or the opened folder. */
	root: string;
	solution: string | null;
	projects: ProjectInfo[];
}

const KIND_BY_EXTENSION: Record<string, ProjectKind> = {
	'.csproj': 'dotnet', '.vbproj': 'dotnet', '.fsproj': 'dotnet', '.njsproj': 'node', '.pyproj': 'python', '.vcxproj': 'cpp',
};

/** Where a .NET project keeps its launch profiles; Visual Basic names the folder differently. */
export function launchSettingsPath(projectFile: string): string {
	const folder = extname(projectFile).toLowerCase() === '.vbproj' ? 'My Project' : 'Properties';
	return join(dirname(projectFile), folder, 'launchSettings.json');
}

function describeProject(projectFile: string): ProjectInfo {
	const kind = KIND_BY_EXTENSION[extname(projectFile).toLowerCase()] ?? 'other';
	const settingsFile = launchSettingsPath(projectFile);
	const launchSettings = kind === 'dotnet' && existsSync(settingsFile) ? readLaunchSettings(readTextFile(settingsFile)) : null;
	return {
		name: projectName(readTextFile(projectFile)),
		kind,
		projectFile,
		directory: dirname(projectFile),
		launchSettings,
		openFolder: null,
		proposedPort: launchSettings ? proposePort(launchSettings) : null,
	};
}

/** A `.sln` path as written (`src\Api\Api.csproj`) made into one for this machine. */
function solutionEntryPath(solutionDir: string, entry: string): string {
	return resolve(solutionDir, entry.replace(/[\\/]/g, sep));
}

function fromSolution(solution: string): WorkspaceInfo {
	const root = dirname(solution);
	const projects = parseSolution(readTextFile(solution))
		.map((entry) => solutionEntryPath(root, entry.path))
		// Web site projects (a folder or URL) and projects missing on disk have no file to read;
		// Visual Studio shows the latter as unavailable.
		.filter((file) => extname(file) !== '' && existsSync(file) && statSync(file).isFile())
		.map(describeProject);
	return { root, solution, projects };
}

function fromFolder(folder: string): WorkspaceInfo {
	const names = readdirSync(folder).sort();
	const solutions = names.filter((name) => extname(name).toLowerCase() === '.sln');
	if (solutions.length > 1) {
		throw projectNotFound(folder, `the folder holds several solutions (${solutions.join(', ')}); name the one to use.`);
	}
	if (solutions.length === 1) return fromSolution(join(folder, solutions[0]!));
	const projectFiles = names.filter((name) => extname(name).toLowerCase() in KIND_BY_EXTENSION);
	if (projectFiles.length > 0) {
		return { root: folder, solution: null, projects: projectFiles.map((name) => describeProject(join(folder, name))) };
	}
	const kind = openFolderKind(folder);
	const openFolder = readOpenFolderSettings(folder);
	if (kind === null && openFolder.launchFile === null && openFolder.tasksFile === null) {
		throw projectNotFound(folder, 'the folder holds no solution, no project file, no .vs/launch.vs.json and no CMakeLists.txt, package.json or Python files.');
	}
	return {
		root: folder,
		solution: null,
		projects: [{
			name: openFolderName(folder, kind),
			kind: kind ?? 'other',
			projectFile: null,
			directory: folder,
			launchSettings: null,
			openFolder,
			proposedPort: proposeFolderPort(openFolder.configurations),
		}],
	};
}

/**
 * What Visual Studio knows about a folder, a solution or a project file: its projects, their
 * launch profiles and ports, or the Open Folder settings. A file that cannot be read is an
 * error naming the file and line, never silently skipped: the user would not know why no
 * port or profile was found.
 */
export function discoverWorkspace(path: string): WorkspaceInfo {
	const target = resolve(path);
	if (!existsSync(target)) throw projectNotFound(target, 'no such file or folder.');
	if (statSync(target).isDirectory()) return fromFolder(target);
	const extension = extname(target).toLowerCase();
	if (extension === '.sln') return fromSolution(target);
	if (extension in KIND_BY_EXTENSION) {
		return { root: dirname(target), solution: null, projects: [describeProject(target)] };
	}
	throw projectNotFound(target, `'${basename(target)}' is not a solution or a project file.`);
}
