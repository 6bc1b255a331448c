import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { readRegularFile } from '../platform/bounded-read.js';
import { configInvalid } from './config-errors.js';
import { tokenProblems } from './config-tokens.js';
import { WorkspaceConfig } from '../../protocol/index.js';
import { validatorOf } from '../schema/compiled.js';
import { escapePointer, firstProblem, type SchemaProblem } from '../schema/problem.js';
import type { LoadedConfig } from './config-types.js';
import { positionOf } from './yaml-positions.js';

/** The configuration's file name in the workspace folder. */
export const CONFIG_FILE_NAME = 'kubebridge.yaml';

/** A target must name exactly one of a service and a workload; said in those words. */
function targetFormProblem(problem: SchemaProblem): string | null {
	const target = /^\/targets\/\d+$/;
	if (target.test(problem.pointer) && problem.message.startsWith('matches more than one')) return 'a target names either a service or a workload, not both';
	const missing = problem.field?.problem === 'missing' && target.test(problem.field.parent) && ['service', 'workload'].includes(problem.field.name);
	return missing ? 'a target names a service or a workload' : null;
}

/**
 * Reads a configuration from YAML text: YAML errors, schema violations and malformed
 * tokens become `configInvalid` errors naming the line, column and field.
 */
export function parseConfig(text: string, file: string): LoadedConfig {
	const lineCounter = new LineCounter();
	const document = parseDocument(text, { lineCounter, prettyErrors: false });
	const at = (pointer: string, key?: string) => positionOf(document, lineCounter, pointer, key);
	const [syntax] = document.errors;
	if (syntax) {
		const [start] = syntax.pos;
		const { line, col } = lineCounter.linePos(start);
		throw configInvalid(file, { line, column: col }, '', `not valid YAML: ${syntax.message.split('\n')[0]}`);
	}
	const data: unknown = document.toJS() ?? {};
	const validate = validatorOf(WorkspaceConfig);
	if (!validate(data)) {
		const problem = firstProblem(validate.errors ?? [], data);
		const message = targetFormProblem(problem) ?? problem.message;
		// A missing field has no place in the file: its object's is named instead.
		if (problem.field?.problem === 'missing') throw configInvalid(file, at(problem.field.parent), problem.field.parent, message);
		const key = problem.field?.problem === 'unknown' ? problem.field.name : undefined;
		throw configInvalid(file, at(key === undefined ? problem.pointer : problem.field!.parent, key), problem.pointer, message);
	}
	for (const [name, value] of Object.entries(data.env ?? {})) {
		const [problem] = tokenProblems(value);
		const pointer = `/env/${escapePointer(name)}`;
		if (problem) throw configInvalid(file, at(pointer), pointer, `bad token ${problem}`);
	}
	return { file, config: data, positionOf: (pointer) => at(pointer) };
}

/**
 * The configuration of a workspace folder (the one the client names in `initialize`, or
 * the CLI's current directory); null when the folder has none.
 */
export function loadWorkspaceConfig(folder: string): LoadedConfig | null {
	const file = join(folder, CONFIG_FILE_NAME);
	const text = readConfigText(file);
	return text === null ? null : parseConfig(text, file);
}

/**
 * Far beyond any real configuration (a few KiB). Parsing with positions grows faster than
 * the size: 256 KiB takes about a second on a slow machine, 1 MiB ten.
 */
export const MAX_CONFIG_BYTES = 256 * 1024;

/** The file's text, or null when there is none; what it cannot read is a typed error. */
function readConfigText(file: string): string | null {
	try {
		return readRegularFile(file, MAX_CONFIG_BYTES).toString('utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
		throw configInvalid(file, { line: 1, column: 1 }, '', `cannot be read: ${(error as Error).message}`);
	}
}
