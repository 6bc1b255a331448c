import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, pruneOldLogs, redact } from '../../../out/server/log/logger.js';

test('secrets are redacted at any depth; other fields are kept', () => {
	const out = redact({
		user: 'dev', password: 'p', nested: { token: 't', 'client-key-data': 'k', items: [{ apiKey: 'x', name: 'n' }] }, count: 3,
	});
	assert.deepEqual(out, { user: 'dev', password: '[redacted]', nested: { token: '[redacted]', 'client-key-data': '[redacted]', items: [{ apiKey: '[redacted]', name: 'n' }] }, count: 3 });
});

test('each entry is one JSON line in the file, and sinks see it', () => {
	const file = join(mkdtempSync(join(tmpdir(), 'kubebridge-log-')), 'run.log');
	const logger = new Logger(file);
	const seen = [];
	const detach = logger.attach((e) => seen.push(e.message));
	logger.info('test', 'first', { secret: 'hidden', n: 1 });
	detach();
	logger.warning('test', 'second');
	const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
	assert.deepEqual(lines.map((l) => [l.level, l.area, l.message]), [['info', 'test', 'first'], ['warning', 'test', 'second']]);
	assert.deepEqual(lines[0].fields, { secret: '[redacted]', n: 1 });
	assert.doesNotMatch(readFileSync(file, 'utf8'), /hidden/);
	assert.deepEqual(seen, ['first']);
});

test('run logs older than a week are pruned; other files and recent logs stay', () => {
	const dir = mkdtempSync(join(tmpdir(), 'kubebridge-logs-'));
	const file = (name, ageDays) => {
		const path = join(dir, name);
		writeFileSync(path, 'x');
		const when = new Date(Date.now() - ageDays * 24 * 3600 * 1000);
		utimesSync(path, when, when);
		return path;
	};
	const old = file('kubebridge-serve-old.log', 8);
	const recent = file('kubebridge-serve-new.log', 1);
	const foreign = file('other.log', 30);
	pruneOldLogs(dir);
	assert.deepEqual([existsSync(old), existsSync(recent), existsSync(foreign)], [false, true, true]);
});
