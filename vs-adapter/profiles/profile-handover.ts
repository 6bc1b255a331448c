import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KubebridgeError, isProcessAlive } from '../../server/client-surface.js';
import { launchConfigurationNotFound, launchProfileInUse, projectFileNotWritable } from '../errors.js';
import { decodeTextFile, encodeText } from '../project/text-file.js';
import {
	defaultRecordDirectory, deleteRecord, digest, listRecords, loadRecord, saveRecord, type HandoverRecord,
} from './handover-record.js';
import { addProfile, EMPTY_LAUNCH_SETTINGS, removeProfile, type ProfileContent, type ProfileFileKind } from './profile-edit.js';

export interface HandoverOptions {
	/** Where the crash-safety records live; the OS temp dir's `kubebridge/vs-adapter/handovers` by default. */
	recordDirectory?: string;
	/** Whether the process that owns a record still runs; a signal-0 probe by default. */
	isOwnerAlive?: (pid: number) => boolean;
}

export interface InstallRequest extends HandoverOptions {
	/** `launchSettings.json` (created when missing) or `launch.vs.json` (must exist: it holds the configuration to copy). */
	file: string;
	kind: ProfileFileKind;
	/** The profile's name, e.g. from profileNameFor('api'). */
	entry: string;
	content: ProfileContent;
	/** The session process the profile belongs to; this process by default. */
	ownerPid?: number;
}

export interface InstalledProfile {
	file: string;
	entry: string;
	/** The file did not exist and was created for the profile. */
	createdFile: boolean;
}

/**
 * - `restored`: the file is byte-identical to before the hand-over (or gone again, when kubebridge created it).
 * - `profileRemoved`: the file was edited since; only kubebridge's entry was taken out, the edits stay.
 * - `alreadyGone`: the entry (or the whole file) was removed by someone else; nothing to do.
 */
export type RemovalOutcome = 'restored' | 'profileRemoved' | 'alreadyGone';

export interface RemovedProfile {
	file: string;
	entry: string;
	outcome: RemovalOutcome;
}

export interface RecoveryReport {
	removed: RemovedProfile[];
	/** Records whose file could not be put back (e.g. it no longer parses); kept for the next start. */
	failed: { file: string; error: KubebridgeError }[];
	/** Record files that could not be read at all; deleted. */
	droppedRecords: string[];
}

const writeErrors = new Set(['EACCES', 'EPERM', 'EROFS', 'EBUSY', 'ENOTDIR', 'EISDIR']);

function asWriteError(file: string, error: unknown): unknown {
	return writeErrors.has((error as NodeJS.ErrnoException).code ?? '') ? projectFileNotWritable(file, error) : error;
}

/**
 * Replaces a file's bytes through a temporary file and a rename, so a crash never leaves it
 * half written; its permission bits are kept. Where the rename is refused (Windows, while
 * another program holds the file without sharing delete) the bytes are written in place.
 */
function writeFileAtomically(file: string, bytes: Buffer): void {
	const temporary = `${file}.kubebridge-${process.pid}.tmp`;
	try {
		const mode = existsSync(file) ? statSync(file).mode & 0o7777 : undefined;
		writeFileSync(temporary, bytes);
		if (mode !== undefined) chmodSync(temporary, mode);
		try {
			renameSync(temporary, file);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EPERM' && (error as NodeJS.ErrnoException).code !== 'EBUSY') throw error;
			writeFileSync(file, bytes);
		}
	} catch (error) {
		throw asWriteError(file, error);
	} finally {
		rmSync(temporary, { force: true });
	}
}

/** The folders mkdir -p would create for a file, outermost first. */
function missingFolders(file: string): string[] {
	const missing: string[] = [];
	for (let folder = dirname(file); !existsSync(folder); folder = dirname(folder)) {
		missing.unshift(folder);
		if (dirname(folder) === folder) break;
	}
	return missing;
}

/** The file's bytes, `null` when it does not exist; a path that cannot hold a file (a file where a folder should be) is not writable. */
function readBytes(file: string): Buffer | null {
	try {
		return readFileSync(file);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
		throw asWriteError(file, error);
	}
}

/** Removes folders kubebridge created, innermost first, as long as they are empty. */
function removeCreatedFolders(folders: string[]): void {
	for (const folder of [...folders].reverse()) {
		try {
			rmdirSync(folder);
		} catch {
			// Not empty (the user put something there) or already gone: leave it.
			return;
		}
	}
}

/** Puts a file back as the record says and deletes the record. */
function undo(record: HandoverRecord, directory: string): RemovedProfile {
	const done = (outcome: RemovalOutcome): RemovedProfile => {
		deleteRecord(directory, record.file);
		return { file: record.file, entry: record.entry, outcome };
	};
	const current = readBytes(record.file);
	if (current === null) {
		removeCreatedFolders(record.createdFolders);
		return done('alreadyGone');
	}
	if (digest(current) === record.written) {
		// Untouched since the hand-over: the saved bytes are the exact original.
		if (record.original === null) {
			rmSync(record.file, { force: true });
			removeCreatedFolders(record.createdFolders);
		} else {
			writeFileAtomically(record.file, Buffer.from(record.original, 'base64'));
		}
		return done('restored');
	}
	const file = decodeTextFile(record.file, current);
	const without = removeProfile(file, record.kind, record.entry);
	if (without === null) return done('alreadyGone');
	const bytes = encodeText(without, file.bom);
	writeFileAtomically(record.file, bytes);
	const original = record.original === null ? null : Buffer.from(record.original, 'base64');
	return done(original !== null && bytes.equals(original) ? 'restored' : 'profileRemoved');
}

/**
 * Writes a launch profile carrying the cluster's environment so Visual Studio's own F5 runs
 * the code with it. The record is saved before the file is touched, so whatever happens
 * next, a later start knows what to undo. A record left by a dead session for the same
 * file is undone first; one of a live session is a conflict.
 */
export function installLaunchProfile(request: InstallRequest): InstalledProfile {
	const directory = request.recordDirectory ?? defaultRecordDirectory();
	const alive = request.isOwnerAlive ?? isProcessAlive;
	const ownerPid = request.ownerPid ?? process.pid;
	const file = resolve(request.file);
	const previous = loadRecord(directory, file);
	if (previous) {
		if (previous.ownerPid !== ownerPid && alive(previous.ownerPid)) throw launchProfileInUse(file, previous.ownerPid);
		undo(previous, directory);
	}
	const before = readBytes(file);
	if (before === null && request.kind === 'launchVs') throw launchConfigurationNotFound(file, request.content.baseConfiguration);
	const text = before === null ? { path: file, bytes: Buffer.from(EMPTY_LAUNCH_SETTINGS), bom: false, text: EMPTY_LAUNCH_SETTINGS } : decodeTextFile(file, before);
	const newFileEol = process.platform === 'win32' ? '\r\n' : '\n';
	const after = encodeText(addProfile(text, request.kind, request.entry, request.content, newFileEol), text.bom);
	const createdFolders = missingFolders(file);
	try {
		saveRecord(directory, {
			version: 1, file, kind: request.kind, entry: request.entry, ownerPid, createdAt: new Date().toISOString(),
			original: before === null ? null : before.toString('base64'), written: digest(after), createdFolders,
		});
	} catch (error) {
		throw asWriteError(directory, error);
	}
	try {
		if (createdFolders.length > 0) mkdirSync(createdFolders.at(-1)!, { recursive: true });
		writeFileAtomically(file, after);
	} catch (error) {
		removeCreatedFolders(createdFolders);
		deleteRecord(directory, file);
		throw asWriteError(file, error);
	}
	return { file, entry: request.entry, createdFile: before === null };
}

/** Takes kubebridge's profile out of a file (disconnect); `null` when no hand-over is recorded for it. */
export function removeLaunchProfile(file: string, options: HandoverOptions = {}): RemovedProfile | null {
	const directory = options.recordDirectory ?? defaultRecordDirectory();
	const record = loadRecord(directory, resolve(file));
	return record ? undo(record, directory) : null;
}

/**
 * Undoes every hand-over whose session died without undoing it: run at each start, so a
 * `kill -9` leaves no stale profile beyond the next start. Records of live sessions are left.
 */
export function recoverStaleLaunchProfiles(options: HandoverOptions = {}): RecoveryReport {
	const directory = options.recordDirectory ?? defaultRecordDirectory();
	const alive = options.isOwnerAlive ?? isProcessAlive;
	const { records, unreadable } = listRecords(directory);
	const report: RecoveryReport = { removed: [], failed: [], droppedRecords: unreadable };
	for (const path of unreadable) rmSync(path, { force: true });
	for (const record of records) {
		if (alive(record.ownerPid)) continue;
		try {
			report.removed.push(undo(record, directory));
		} catch (error) {
			if (!(error instanceof KubebridgeError)) throw error;
			report.failed.push({ file: record.file, error });
		}
	}
	return report;
}
