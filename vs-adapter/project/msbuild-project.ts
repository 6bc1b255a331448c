import { basename, extname } from 'node:path';
import type { TextFile } from './text-file.js';

/**
 * The name the project builds under: `<AssemblyName>` when it is a literal, else the file
 * name, which is what MSBuild defaults it to. A value built from properties
 * (`$(MSBuildProjectName).Api`) is not evaluated here: the file name is the better guess.
 * Element text is read with a pattern, not an XML parser: only this one element matters,
 * and the comment-stripping keeps a commented-out value from counting.
 */
export function projectName(file: TextFile): string {
	const withoutComments = file.text.replace(/<!--[\s\S]*?-->/g, '');
	const declared = /<AssemblyName(?:\s[^>]*)?>\s*([^<]*?)\s*<\/AssemblyName>/.exec(withoutComments)?.[1];
	if (declared && !declared.includes('$(')) return decodeXmlText(declared);
	return basename(file.path, extname(file.path));
}

function decodeXmlText(text: string): string {
	return text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name]!);
}
