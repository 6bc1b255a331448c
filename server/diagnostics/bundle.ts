import { createWriteStream, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import type { SecretScrubber } from '../secrets/secret-scrubber.js';

/**
 * A `.tar.gz` for a bug report: the diagnostics as JSON and each log file, every one of them
 * passed through the scrubber so no secret value of the session leaves the machine in it.
 * A log that cannot be read is named in `unreadable.txt` instead.
 */
export async function writeBundle(path: string, report: unknown, logFiles: string[], scrubber: SecretScrubber): Promise<void> {
	const archive = pack();
	const unreadable: string[] = [];
	const add = (name: string, text: string) => archive.entry({ name, mode: 0o600, mtime: new Date() }, scrubber.scrub(text));
	add('diagnostics.json', JSON.stringify(report, null, 2));
	for (const file of logFiles) {
		try {
			add(`logs/${basename(file)}`, readFileSync(file, 'utf8'));
		} catch (error) {
			unreadable.push(`${file}: ${(error as Error).message}`);
		}
	}
	if (unreadable.length > 0) add('unreadable.txt', unreadable.join('\n'));
	archive.finalize();
	await pipeline(archive, createGzip(), createWriteStream(path, { mode: 0o600 }));
}
