// hostile ships no types; only the reader kubebridge uses is declared.
declare module 'hostile' {
	/** The file's lines: `[address, names]` for entries; other lines as strings when `preserveFormatting`. */
	export function getFile(filePath: string, preserveFormatting: boolean): Array<string | [string, string]>;
}
