/** The hand-over formats kubebridge writes an environment in. */
const EXPORT_FORMATS = ['dotenv', 'launchSettings', 'vscode', 'bash', 'powershell', 'cmd'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A variable to write: a name and its exact value. */
export interface ExportVar {
	name: string;
	value: string;
}

export interface ExportOptions {
	/**
	 * Leave out variables the format cannot carry and list them in `omitted`, instead of
	 * failing with `valueNotRepresentable`.
	 */
	omitUnrepresentable?: boolean;
	/** For `launchSettings`: the profile's name (default `kubebridge`). */
	profileName?: string;
	/** For `launchSettings`: the current `launchSettings.json` text, to which the profile is added. */
	existing?: string;
}

export interface OmittedVar {
	name: string;
	/** Why the format cannot carry it. */
	why: string;
}

export interface ExportResult {
	format: ExportFormat;
	/** The file's content. */
	text: string;
	/** With `omitUnrepresentable`: what was left out. */
	omitted: OmittedVar[];
}
