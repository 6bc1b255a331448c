import { createHash } from 'node:crypto';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive } from '../platform/process-liveness.js';
import { hostsFileLocked } from './hosts-errors.js';

/** The lock file for one hosts file: in the temp folder, which every session can write. */
export function lockPathFor(hostsPath: string): string {
	const digest = createHash('sha256').update(resolve(hostsPath)).digest('hex').slice(0, 16);
	return join(tmpdir(), `kubebridge-hosts-${digest}.lock`);
}

function holderOf(lock: string): number {
	try {
		return Number(readFileSync(lock, 'utf8').trim());
	} catch {
		return 0;
	}
}

/**
 * Runs `edit` while holding the hosts file's lock, so two sessions that read, change and
 * write the file one after the other never drop each other's block. A lock whose owner
 * died is taken over.
 */
export async function withHostsLock<T>(hostsPath: string, edit: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
	const lock = lockPathFor(hostsPath);
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			writeFileSync(lock, String(process.pid), { flag: 'wx' });
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const holder = holderOf(lock);
			if (holder > 0 && !isProcessAlive(holder)) {
				unlinkSync(lock);
				continue;
			}
			if (Date.now() >= deadline) throw hostsFileLocked(hostsPath, lock, holder);
			await sleep(20 + Math.random() * 30);
		}
	}
	try {
		return await edit();
	} finally {
		unlinkSync(lock);
	}
}
