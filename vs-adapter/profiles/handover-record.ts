import { createHash } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePrivateFolder, underTemp } from '../../server/client-surface.js';
import type { ProfileFileKind } from './profile-edit.js';

/**
 * What a later start needs to undo a hand-over after the process that made it died
 * (`kill -9`, a crash, a reboot of Visual Studio's machine): which file got which profile,
 * the file's exact bytes before, and a digest of the bytes written, to tell "untouched since"
 * from "edited by the user since". It never holds the environment itself (that may hold
 * secrets), only the original file, which was on disk already.
 */
export interface HandoverRecord {
	version: 1;
	/** The edited file's absolute path. */
	file: string;
	kind: ProfileFileKind;
	/** The profile's (or configuration's) name. */
	entry: string;
	/** The process whose session the profile belongs to; while it lives, the profile is not stale. */
	ownerPid: number;
	createdAt: string;
	/** The file's bytes before the edit, base64; `null` when the file did not exist. */
	original: string | null;
	/** sha256 of the bytes kubebridge wrote, hex. */
	written: string;
	/** Folders created to hold the file, outermost first; removed again when left empty. */
	createdFolders: string[];
}

/** Where the records live: one folder under the OS temp dir, readable by its owner only. */
export function defaultRecordDirectory(platform: NodeJS.Platform = process.platform, temp: string = tmpdir()): string {
	return underTemp(['kubebridge', 'vs-adapter', 'handovers'], platform, temp);
}

export const digest = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Windows paths compare without case, so both spellings of one file share one record. */
function recordKey(file: string, platform: NodeJS.Platform): string {
	return digest(Buffer.from(platform === 'win32' ? file.toLowerCase() : file)).slice(0, 32);
}

export function recordPath(directory: string, file: string, platform: NodeJS.Platform = process.platform): string {
	return join(directory, `${recordKey(file, platform)}.json`);
}

/** Writes the record atomically (a torn record would be worse than none), owner-only. */
export function saveRecord(directory: string, record: HandoverRecord): string {
	makePrivateFolder(directory);
	chmodSync(directory, 0o700);
	const target = recordPath(directory, record.file);
	const temporary = `${target}.${process.pid}.tmp`;
	writeFileSync(temporary, JSON.stringify(record), { mode: 0o600 });
	renameSync(temporary, target);
	return target;
}

export function loadRecord(directory: string, file: string): HandoverRecord | null {
	try {
		return parseRecord(readFileSync(recordPath(directory, file), 'utf8'));
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
		throw error;
	}
}

export function deleteRecord(directory: string, file: string): void {
	rmSync(recordPath(directory, file), { force: true });
}

function parseRecord(text: string): HandoverRecord | null {
	const value = JSON.parse(text) as Partial<HandoverRecord>;
	const valid = value.version === 1 && typeof value.file === 'string' && (value.kind === 'launchSettings' || value.kind === 'launchVs')
		&& typeof value.entry === 'string' && typeof value.ownerPid === 'number' && typeof value.written === 'string'
		&& (value.original === null || typeof value.original === 'string') && Array.isArray(value.createdFolders);
	return valid ? (value as HandoverRecord) : null;
}

/** Every record in the directory; unreadable ones are returned by path so the caller can report and drop them. */
export function listRecords(directory: string): { records: HandoverRecord[]; unreadable: string[] } {
	let names: string[];
	try {
		names = readdirSync(directory);
	} catch {
		return { records: [], unreadable: [] };
	}
	const records: HandoverRecord[] = [];
	const unreadable: string[] = [];
	for (const name of names.filter((n) => n.endsWith('.json'))) {
		const path = join(directory, name);
		try {
			const record = parseRecord(readFileSync(path, 'utf8'));
			if (record) records.push(record);
			else unreadable.push(path);
		} catch {
			unreadable.push(path);
		}
	}
	return { records, unreadable };
}
