import { appendFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLevel } from '../../protocol/index.js';
import { underTemp } from '../platform/platform-paths.js';
import { SecretScrubber } from '../secrets/secret-scrubber.js';

export interface LogEntry {
	time: string;
	level: LogLevel;
	area: string;
	message: string;
	fields?: Record<string, unknown>;
}

export type LogSink = (entry: LogEntry) => void;

/** Where every run's log goes: one folder under the OS temp dir, a file per run. */
export function logDirectory(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, temp: string = tmpdir()): string {
	return env.KUBEBRIDGE_LOG_DIR ?? underTemp(['kubebridge', 'logs'], platform, temp);
}

const KEEP_LOGS_MS = 7 * 24 * 3600 * 1000;

/** Removes run logs older than a week, so the temp folder does not fill up run after run. */
export function pruneOldLogs(directory: string, now = Date.now()): void {
	let names: string[];
	try {
		names = readdirSync(directory);
	} catch {
		return;
	}
	for (const name of names) {
		if (!/^kubebridge-.*\.log$/.test(name)) continue;
		const file = join(directory, name);
		try {
			if (now - statSync(file).mtimeMs > KEEP_LOGS_MS) rmSync(file);
		} catch {
			// Another run may be pruning the same folder.
		}
	}
}

const SECRET_WORD = /pass(word)?|secret|token|credential|authorization|private|(^|[-_.])key$|-data$/i;
// camelCase names such as apiKey; a plain /key$/i would also hide `monkey`.
const SECRET_CAMEL = /[a-z]Key$/;
const isSecretKey = (key: string): boolean => SECRET_WORD.test(key) || SECRET_CAMEL.test(key);

/** Replaces values whose key looks like a secret, at any depth, so the log never holds one. */
export function redact(value: unknown, depth = 0): unknown {
	if (depth > 8 || value === null || typeof value !== 'object') return value;
	if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
	const out: Record<string, unknown> = {};
	for (const [key, item] of Object.entries(value)) {
		out[key] = isSecretKey(key) && item !== undefined && item !== null ? '[redacted]' : redact(item, depth + 1);
	}
	return out;
}

/** Every string inside a value scrubbed, at any depth. */
function scrubDeep(value: unknown, secrets: SecretScrubber, depth = 0): unknown {
	if (typeof value === 'string') return secrets.scrub(value);
	if (depth > 8 || value === null || typeof value !== 'object') return value;
	if (Array.isArray(value)) return value.map((item) => scrubDeep(item, secrets, depth + 1));
	return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubDeep(item, secrets, depth + 1)]));
}

/**
 * Structured, tagged logging: every entry is a JSON line in this run's file, and is handed
 * to the sinks that are attached (the protocol connection forwards some to the client).
 * Writes are synchronous so a crash never loses the lines that explain it. Secret values
 * the run has read (`secrets`) never reach the file or a sink: whatever carries text to
 * the user (progress, errors, state changes) scrubs with the same `secrets`.
 */
export class Logger {
	private readonly sinks = new Set<LogSink>();
	readonly secrets = new SecretScrubber();

	constructor(readonly file: string | null) {
		if (file) mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
	}

	static forRun(kind: string): Logger {
		pruneOldLogs(logDirectory());
		const stamp = new Date().toISOString().replace(/[:.]/g, '-');
		return new Logger(join(logDirectory(), `kubebridge-${kind}-${stamp}-${process.pid}.log`));
	}

	attach(sink: LogSink): () => void {
		this.sinks.add(sink);
		return () => this.sinks.delete(sink);
	}

	error(area: string, message: string, fields?: Record<string, unknown>): void { this.write('error', area, message, fields); }
	warning(area: string, message: string, fields?: Record<string, unknown>): void { this.write('warning', area, message, fields); }
	info(area: string, message: string, fields?: Record<string, unknown>): void { this.write('info', area, message, fields); }
	debug(area: string, message: string, fields?: Record<string, unknown>): void { this.write('debug', area, message, fields); }

	private write(level: LogLevel, area: string, message: string, fields?: Record<string, unknown>): void {
		const entry: LogEntry = { time: new Date().toISOString(), level, area, message: this.secrets.scrub(message) };
		if (fields) entry.fields = scrubDeep(redact(fields), this.secrets) as Record<string, unknown>;
		if (this.file) {
			try {
				appendFileSync(this.file, JSON.stringify(entry) + '\n', { mode: 0o600 });
			} catch {
				// A full or read-only temp dir must not take the server down with it.
			}
		}
		for (const sink of this.sinks) sink(entry);
	}
}
