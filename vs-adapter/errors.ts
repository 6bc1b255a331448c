import { ErrorCodes } from '../protocol/index.js';
import { KubebridgeError } from '../server/client-surface.js';

/** Where in a file a problem is: 1-based, as editors and MSBuild count. */
export interface FilePosition {
	line: number;
	column: number;
}

/** The 1-based line and column of a character offset, counting CRLF and LF alike. */
export function positionAt(text: string, offset: number): FilePosition {
	let line = 1;
	let lineStart = 0;
	const end = Math.min(offset, text.length);
	for (let i = 0; i < end; i++) {
		if (text.charCodeAt(i) === 10) {
			line++;
			lineStart = i + 1;
		}
	}
	return { line, column: end - lineStart + 1 };
}

export const projectNotFound = (path: string, why: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.ProjectNotFound, {
		reason: 'projectNotFound', file: path,
		hint: 'Name a folder, a .sln or a project file (.csproj, .vbproj, .fsproj) Visual Studio opens.',
	}, `${path}: ${why}`);

export const launchConfigurationNotFound = (file: string, wanted: string | null): KubebridgeError =>
	new KubebridgeError(ErrorCodes.ProjectNotFound, {
		reason: 'launchConfigurationNotFound', file,
		hint: 'In Visual Studio, right-click the file you start and choose "Add Debug Configuration" (or "Debug and Launch Settings"), then connect again.',
	}, wanted === null
		? `${file} has no debug configuration for kubebridge to copy.`
		: `${file} has no debug configuration named '${wanted}'.`);

/** A file kubebridge reads but cannot understand; `at` is where, when the parser knows. */
export const projectFileInvalid = (file: string, problem: string, at?: FilePosition): KubebridgeError =>
	new KubebridgeError(ErrorCodes.ProjectFileInvalid, {
		reason: 'projectFileInvalid', file, ...(at ? { line: at.line, column: at.column } : {}),
		hint: 'Fix the file (Visual Studio shows the same problem when it opens it) and retry.',
	}, `${file}${at ? ` line ${at.line}` : ''}: ${problem}`);

export const launchProfileExists = (file: string, profile: string, at: FilePosition): KubebridgeError =>
	new KubebridgeError(ErrorCodes.LaunchProfileConflict, {
		reason: 'launchProfileExists', file, line: at.line, column: at.column,
		hint: `Rename or delete the profile '${profile}' in that file; kubebridge only removes profiles it wrote itself.`,
	}, `${file} already has a profile named '${profile}' that kubebridge did not write.`);

export const launchProfileInUse = (file: string, pid: number): KubebridgeError =>
	new KubebridgeError(ErrorCodes.LaunchProfileConflict, {
		reason: 'launchProfileInUse', file,
		hint: 'Disconnect the other session first (kubebridge-vs disconnect), then connect again.',
	}, `${file} holds the launch profile of another kubebridge session that is still running (process ${pid}).`);

export function projectFileNotWritable(file: string, error: unknown): KubebridgeError {
	const detail = error instanceof Error ? error.message : String(error);
	return new KubebridgeError(ErrorCodes.ProjectFileNotWritable, {
		reason: 'projectFileNotWritable', file,
		hint: 'Make the file and its folder writable (check out the file if source control locks it), then retry.',
	}, `Cannot write ${file}: ${detail}`);
}

export const serviceNotProposed = (project: string, candidates: string[]): KubebridgeError =>
	new KubebridgeError(ErrorCodes.ProposalMissing, {
		reason: 'serviceNotProposed',
		hint: 'Name the service: add --service NAME to the Connect tool\'s arguments, or a target in kubebridge.yaml.',
	}, candidates.length === 0
		? `No service in the cluster matches the project '${project}'.`
		: `Several services match the project '${project}' equally well: ${candidates.join(', ')}.`);

export const localPortNotProposed = (project: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.ProposalMissing, {
		reason: 'localPortNotProposed',
		hint: 'Add an applicationUrl to the project\'s launch profile, --local-port PORT to the Connect tool\'s arguments, or ports in kubebridge.yaml.',
	}, `The project '${project}' names no port it listens on.`);

export const projectNotSelected = (root: string, projects: string[]): KubebridgeError =>
	new KubebridgeError(ErrorCodes.ProjectNotFound, {
		reason: 'projectNotFound', file: root,
		hint: 'Select the service\'s project in Solution Explorer before choosing Connect (the tool passes $(ProjectDir)).',
	}, `${root}: the solution has several projects (${projects.join(', ')}) and none is selected.`);

export const alreadyConnected = (solutionDir: string, pid: number): KubebridgeError =>
	new KubebridgeError(ErrorCodes.SessionState, {
		reason: 'sessionActive', hint: 'Disconnect first (Tools > kubebridge: Disconnect).',
	}, `A session for ${solutionDir} already runs (process ${pid}).`);

export const notConnected = (solutionDir: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.SessionState, { reason: 'noSession', hint: 'Connect first (Tools > kubebridge: Connect).' },
		`No session runs for ${solutionDir}.`);

export const sidecarNotStarted = (executable: string, detail: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.AdapterSessionFailed, {
		reason: 'sidecarNotStarted', hint: 'Keep kubebridge(.exe) in the folder of kubebridge-vs(.exe), or set KUBEBRIDGE_SIDECAR to its path.',
	}, `Cannot start the sidecar ${executable}: ${detail}`);

export const sessionProcessEnded = (): KubebridgeError =>
	new KubebridgeError(ErrorCodes.AdapterSessionFailed, {
		reason: 'sessionProcessEnded', hint: 'kubebridge-vs diagnostics lists the log files; the newest kubebridge-vs-adapter log says why.',
	}, 'The background session ended before it connected.');
