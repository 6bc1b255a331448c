import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import schema from '../../protocol/schemas/kubebridge.schema.json' with { type: 'json' };
import { readRegularFile } from '../files/bounded-read.js';
import { configInvalid } from './config-errors.js';
import { tokenProblems } from './config-tokens.js';
import type { WorkspaceConfig } from '../../protocol/index.js';
import type { LoadedConfig } from './config-types.js';
import { positionOf } from './yaml-positions.js';

/** The configuration's file name in the workspace folder. */
export const CONFIG_FILE_NAME = 'kubebridge.yaml';

const validate = new Ajv({ allErrors: true }).compile<WorkspaceConfig>(schema);

/** The one error worth showing first: the deepest, and for a failed `oneOf` the branch's own complaint. */
function mostSpecific(errors: ErrorObject[]): ErrorObject {
	return [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length || rank(a) - rank(b))[0];
}
const rank = (error: ErrorObject): number => (error.keyword === 'oneOf' || error.keyword === 'if' ? 1 : 0);

function describe(error: ErrorObject): string {
	const params = error.params as Record<string, unknown>;
	switch (error.keyword) {
		case 'additionalProperties':
			return `unknown field '${String(params.additionalProperty)}'`;
		case 'required':
			return `missing required field '${String(params.missingProperty)}'`;
		case 'type':
			return `expected ${String(params.type)}`;
		case 'const':
			return `must be ${JSON.stringify(params.allowedValue)}`;
		case 'enum':
			return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
		case 'oneOf':
			return error.instancePath.startsWith('/targets/') ? 'a target names either a service or a workload, not both' : 'does not match any allowed form';
		default:
			return error.message ?? 'is not allowed here';
	}
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
	if (!validate(data)) {
		const error = mostSpecific(validate.errors ?? []);
		const params = error.params as Record<string, unknown>;
		const key = error.keyword === 'additionalProperties' ? String(params.additionalProperty) : undefined;
		const pointer = key === undefined ? error.instancePath : `${error.instancePath}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
		throw configInvalid(file, at(error.instancePath, key), pointer, describe(error));
	}
	for (const [name, value] of Object.entries(data.env ?? {})) {
		const [problem] = tokenProblems(value);
		const pointer = `/env/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
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
