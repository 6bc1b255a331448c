import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFile } from 'hostile';
import { KubebridgeError } from '../errors.js';
import { readRegularFile } from '../platform/bounded-read.js';
import { isProcessAlive } from '../platform/process-liveness.js';
import { elevatedCommand, type ElevatedStep } from './elevated-command.js';
import { Elevation, promptName } from './elevation.js';
import { findBlocks, withBlock, withoutBlocks, type BlockOwner, type FoundBlock, type HostsEntry } from './hosts-block.js';
import { hostsFileFailed } from './hosts-errors.js';
import { replaceHostsFile, type WriteMode } from './hosts-file-write.js';
import { withHostsLock } from './hosts-lock.js';
import { defaultHostsPath } from './hosts-path.js';
import { loopbackAliasCommands } from './loopback-addresses.js';

export interface HostsFileOptions {
	/** The session the block belongs to (letters, digits, `.`, `_`, `-`). */
	sessionId: string;
	/** The hosts file; the OS's own by default. */
	path?: string;
	/** Decides the default path, line endings of a new block, and the macOS lo0 aliases. */
	platform?: NodeJS.Platform;
	/** The session's elevation: one per session, so a refusal is remembered. */
	elevation?: Elevation;
}

/** What a change did. */
export interface HostsChange {
	changed: boolean;
	/** How the file was written: renamed over, written in place, or copied by the elevated command. */
	mode: WriteMode | 'elevated' | null;
	/** Names that another line of the file maps already; the earlier line wins, so those names do not reach kubebridge. */
	shadowed: string[];
}

/** What an elevation prompt says: its short title and the whole sentence. */
interface Prompt {
	name: string;
	message: string;
}

/** Ad-blocking hosts files run to a few MiB; past this it is not a hosts file anyone edits. */
export const MAX_HOSTS_BYTES = 64 * 1024 * 1024;
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);
const REFUSED = new Set(['EACCES', 'EPERM']);
const names = (entries: HostsEntry[]): string[] => entries.flatMap((e) => e.names);

/**
 * The session's block in the hosts file. Every change reads the file, edits only the
 * block (hosts-block.ts) and writes it back under a lock shared with other sessions;
 * a file this user cannot write is copied into place by one elevated command.
 */
export class HostsFile {
	readonly path: string;
	private readonly platform: NodeJS.Platform;
	private readonly owner: BlockOwner;
	private readonly elevation: Elevation;

	constructor(options: HostsFileOptions) {
		this.platform = options.platform ?? process.platform;
		this.path = options.path ?? defaultHostsPath(this.platform);
		this.owner = { sessionId: options.sessionId, pid: process.pid };
		this.elevation = options.elevation ?? new Elevation();
	}

	/** Every kubebridge block in the file, this session's included. */
	blocks(): FoundBlock[] {
		return findBlocks(this.read());
	}

	/** The addresses other live sessions use, for pickSessionIndex. */
	addressesInUse(): string[] {
		return this.blocks().filter((b) => b.sessionId !== this.owner.sessionId && isProcessAlive(b.pid))
			.flatMap((b) => b.entries.map((e) => e.address));
	}

	/** Writes (or replaces) this session's block; a no-op when it already holds exactly these entries. */
	add(entries: HostsEntry[], namespace: string): Promise<HostsChange> {
		const count = names(entries).length;
		return this.change(
			(content) => withBlock(content, this.owner, entries, this.platform === 'win32' ? '\r\n' : '\n'),
			{ message: `kubebridge wants to add ${count} names for namespace ${namespace} to ${this.path}`,
				name: `kubebridge adds ${count} names for ${namespace} to the hosts file` },
			entries,
		);
	}

	/** Removes this session's block; a no-op when there is none. */
	remove(): Promise<HostsChange> {
		return this.dropBlocks((b) => b.sessionId === this.owner.sessionId, `of session ${this.owner.sessionId}`, 'its names');
	}

	/**
	 * Removes blocks whose owning process is gone (a crash, `kill -9`); blocks of live
	 * sessions stay. Returns what was removed.
	 */
	async removeStaleBlocks(): Promise<FoundBlock[]> {
		const stale = (b: FoundBlock) => b.sessionId !== this.owner.sessionId && b.pid !== process.pid && !isProcessAlive(b.pid);
		const removed = this.blocks().filter(stale);
		if (removed.length > 0) await this.dropBlocks(stale, 'left by sessions that ended', 'stale names');
		return removed;
	}

	private dropBlocks(drop: (b: FoundBlock) => boolean, whose: string, what: string): Promise<HostsChange> {
		return this.change((content) => withoutBlocks(content, drop), {
			message: `kubebridge wants to remove the names ${whose} from ${this.path}`,
			name: `kubebridge removes ${what} from the hosts file`,
		}, []);
	}

	/** macOS needs an lo0 alias for each address while some block uses it. */
	private aliasChanges(before: string, after: string): string[][] {
		if (this.platform !== 'darwin') return [];
		const inUse = (content: string) => new Set(findBlocks(content).flatMap((b) => b.entries.map((e) => e.address)));
		const [was, is] = [inUse(before), inUse(after)];
		return [...loopbackAliasCommands([...is].filter((a) => !was.has(a)), 'add'),
			...loopbackAliasCommands([...was].filter((a) => !is.has(a)), 'remove')];
	}

	private read(): string {
		let bytes: Buffer;
		try {
			bytes = readRegularFile(this.path, MAX_HOSTS_BYTES);
		} catch (error) {
			throw hostsFileFailed(this.path, 'read', error);
		}
		// A text file never holds NUL: writing our block into binary junk would only add to the damage.
		if (bytes.includes(0)) throw hostsFileFailed(this.path, 'use', new Error('it holds NUL bytes, so it is not a hosts file'));
		return bytes.toString('latin1');
	}

	/** Names of `entries` mapped by lines outside this session's block, as hostile parses the file. */
	private shadowed(entries: HostsEntry[]): string[] {
		const counts = new Map<string, number>();
		for (const line of getFile(this.path, false)) {
			if (Array.isArray(line)) for (const name of line[1].split(/\s+/)) counts.set(name, (counts.get(name) ?? 0) + 1);
		}
		for (const name of names(findBlocks(this.read()).filter((b) => b.sessionId === this.owner.sessionId).flatMap((b) => b.entries))) {
			counts.set(name, (counts.get(name) ?? 0) - 1);
		}
		return names(entries).filter((name) => (counts.get(name) ?? 0) > 0);
	}

	private change(edit: (content: string) => string, prompt: Prompt, entries: HostsEntry[]): Promise<HostsChange> {
		return withHostsLock(this.path, async () => {
			const before = this.read();
			const after = edit(before);
			if (after === before) return { changed: false, mode: null, shadowed: this.shadowed(entries) };
			const shadowed = this.shadowed(entries);
			const mode = await this.write(Buffer.from(after, 'latin1'), this.aliasChanges(before, after), prompt);
			return { changed: true, mode, shadowed };
		});
	}

	private writable(): boolean {
		try {
			accessSync(this.path, constants.W_OK);
			return true;
		} catch (error) {
			if (NOT_WRITABLE.has((error as NodeJS.ErrnoException).code ?? '')) return false;
			throw hostsFileFailed(this.path, 'check', error);
		}
	}

	private async write(content: Buffer, privileged: string[][], prompt: Prompt): Promise<HostsChange['mode']> {
		const root = process.getuid?.() === 0;
		// Already root (or the file is ours to write): nothing to ask. Windows' access check
		// sees only the read-only attribute, not the ACL, so a refused write still elevates.
		if (root || this.writable()) {
			let mode: WriteMode | null = null;
			try {
				// Through a symlink, the file it names is replaced: renaming over the link would turn it into a file.
				mode = replaceHostsFile(realpathSync(this.path), content);
			} catch (error) {
				if (root || !REFUSED.has((error as NodeJS.ErrnoException).code ?? '')) throw hostsFileFailed(this.path, 'write', error);
			}
			if (mode) {
				if (privileged.length > 0) await this.runPrivileged(privileged.map((argv) => ({ kind: 'run', argv })), prompt);
				return mode;
			}
		}
		const folder = mkdtempSync(join(tmpdir(), 'kubebridge-hosts-'));
		try {
			const prepared = join(folder, 'hosts');
			writeFileSync(prepared, content, { mode: 0o644 });
			await this.runPrivileged([{ kind: 'copy', from: prepared, to: this.path }, ...privileged.map((argv) => ({ kind: 'run' as const, argv }))], prompt);
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
		if (!readFileSync(this.path).equals(content)) {
			throw hostsFileFailed(this.path, 'write', new Error('the elevated copy reported success but the file does not hold the new content'));
		}
		return 'elevated';
	}

	private async runPrivileged(steps: ElevatedStep[], prompt: Prompt): Promise<void> {
		if (process.getuid?.() === 0) {
			for (const step of steps) {
				if (step.kind === 'run') execFileSync(step.argv[0]!, step.argv.slice(1), { stdio: 'ignore' });
			}
			return;
		}
		const command = elevatedCommand(steps, this.platform);
		try {
			await this.elevation.run({ command, name: promptName(prompt.name), message: prompt.message }, this.path);
		} catch (error) {
			throw error instanceof KubebridgeError ? error : hostsFileFailed(this.path, 'change', error);
		}
	}
}
