import { toBash } from './bash-format.js';
import { toCmd } from './cmd-format.js';
import { toDotenv } from './dotenv-format.js';
import type { ExportFormat, ExportOptions, ExportResult, ExportVar } from './export-types.js';
import { toLaunchSettings } from './launch-settings-format.js';
import { toPowershell } from './powershell-format.js';
import { toVscodeLaunchEnv } from './vscode-launch-format.js';

const WRITERS: Record<ExportFormat, (vars: readonly ExportVar[], options: ExportOptions) => ExportResult> = {
	dotenv: toDotenv,
	launchSettings: toLaunchSettings,
	vscode: toVscodeLaunchEnv,
	bash: toBash,
	powershell: toPowershell,
	cmd: toCmd,
};

/** The environment written in one hand-over format. */
export function exportEnvironment(format: ExportFormat, vars: readonly ExportVar[], options: ExportOptions = {}): ExportResult {
	return WRITERS[format](vars, options);
}
