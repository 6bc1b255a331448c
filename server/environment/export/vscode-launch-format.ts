import { encodeVars } from './encode-vars.js';
import { NotRepresentable } from './export-errors.js';
import type { ExportOptions, ExportResult, ExportVar } from './export-types.js';

// VS Code substitutes ${...} in every string of a launch configuration and has no escape.
const VSCODE_VARIABLE = /\$\{[^}]*\}/;

function entry({ name, value }: ExportVar): [string, string] {
	if (VSCODE_VARIABLE.test(value)) throw new NotRepresentable(name, 'vscode', 'VS Code would substitute the ${...} in the value');
	return [name, value];
}

/** The `env` block of a VS Code launch configuration, as JSON to paste into launch.json. */
export function toVscodeLaunchEnv(vars: readonly ExportVar[], options: ExportOptions = {}): ExportResult {
	const { encoded, omitted } = encodeVars(vars, options, entry);
	return { format: 'vscode', text: `${JSON.stringify({ env: Object.fromEntries(encoded) }, null, 2)}\n`, omitted };
}
