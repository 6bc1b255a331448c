import { projectFileInvalid } from '../errors.js';
import type { TextFile } from './text-file.js';

/** A project line of a `.sln`: its display name and path as written (relative, with backslashes). */
export interface SolutionProject {
	name: string;
	path: string;
	typeGuid: string;
	line: number;
}

/** Solution folders are entries of the solution, not projects on disk. */
const SOLUTION_FOLDER = '{2150E333-8FDC-42A3-9474-1A3956D46DE8}';
const HEADER = /^Microsoft Visual Studio Solution File, Format Version \d+\.\d+\s*$/;
const PROJECT_LINE = /^Project\("(\{[0-9A-Fa-f-]+\})"\)\s*=\s*"([^"]*)"\s*,\s*"([^"]*)"\s*,\s*"(\{[0-9A-Fa-f-]+\})"\s*$/;

/**
 * The projects of a Visual Studio solution. The format is line-based: a header, then
 * `Project("{type}") = "Name", "relative\path.csproj", "{guid}"` ... `EndProject` pairs,
 * then `Global`. Only the project lines matter here; a line starting with `Project(` that
 * does not have that shape is an error with its line, as Visual Studio refuses it too.
 */
export function parseSolution(file: TextFile): SolutionProject[] {
	const lines = file.text.split(/\r?\n/);
	const headerIndex = lines.findIndex((line) => line.trim() !== '');
	if (headerIndex < 0 || !HEADER.test(lines[headerIndex]!.trim())) {
		throw projectFileInvalid(file.path, "not a Visual Studio solution: the first line should be 'Microsoft Visual Studio Solution File, Format Version 12.00'.",
			{ line: headerIndex < 0 ? 1 : headerIndex + 1, column: 1 });
	}
	const projects: SolutionProject[] = [];
	let open: number | null = null;
	lines.forEach((raw, index) => {
		const line = raw.trim();
		if (line.startsWith('Project(')) {
			if (open !== null) throw projectFileInvalid(file.path, `the project opened on line ${open} has no EndProject.`, { line: index + 1, column: 1 });
			const match = PROJECT_LINE.exec(line);
			if (!match) {
				throw projectFileInvalid(file.path, 'a Project line should read Project("{type}") = "Name", "path", "{guid}".',
					{ line: index + 1, column: raw.indexOf('Project(') + 1 });
			}
			open = index + 1;
			if (match[1]!.toUpperCase() !== SOLUTION_FOLDER) {
				projects.push({ typeGuid: match[1]!.toUpperCase(), name: match[2]!, path: match[3]!, line: index + 1 });
			}
		} else if (line === 'EndProject') {
			open = null;
		}
	});
	if (open !== null) throw projectFileInvalid(file.path, `the project opened on line ${open} has no EndProject.`, { line: open, column: 1 });
	return projects;
}
