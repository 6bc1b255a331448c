import { applyEdits, modify, parse, type ParseError } from 'jsonc-parser';
import { ErrorCodes } from '../../../protocol/index.js';
import { KubebridgeError } from '../../errors.js';
import type { ExportOptions, ExportResult, ExportVar } from './export-types.js';

/** A Visual Studio launch profile that runs the project with the environment. */
export interface LaunchSettingsProfile {
	commandName: 'Project';
	environmentVariables: Record<string, string>;
}

export function launchSettingsProfile(vars: readonly ExportVar[]): LaunchSettingsProfile {
	return { commandName: 'Project', environmentVariables: Object.fromEntries(vars.map((v) => [v.name, v.value])) };
}

/**
 * `Properties/launchSettings.json` with the profile set under `profiles.<name>`: a new file,
 * or the current one with that one profile replaced and its other profiles, settings and
 * comments left as they were. JSON carries every value as it is.
 */
export function toLaunchSettings(vars: readonly ExportVar[], options: ExportOptions = {}): ExportResult {
	const profile = launchSettingsProfile(vars);
	const name = options.profileName ?? 'kubebridge';
	const existing = options.existing?.trim() ? options.existing : '{}';
	const errors: ParseError[] = [];
	const parsed: unknown = parse(existing, errors, { allowTrailingComma: true });
	if (errors.length > 0 || typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new KubebridgeError(ErrorCodes.ExportNotRepresentable, { reason: 'launchSettingsInvalid', hint: 'Fix or remove launchSettings.json, then export again.' },
			'The existing launchSettings.json is not a JSON object, so the profile cannot be added to it.');
	}
	const eol = existing.includes('\r\n') ? '\r\n' : '\n';
	const edits = modify(existing, ['profiles', name], profile, { formattingOptions: { insertSpaces: true, tabSize: 2, eol } });
	return { format: 'launchSettings', text: applyEdits(existing, edits), omitted: [] };
}
