import { readFileSync } from 'node:fs';
import { projectFileInvalid } from '../errors.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A file as Visual Studio left it: its exact bytes, whether it starts with a UTF-8 BOM, and its text. */
export interface TextFile {
	path: string;
	bytes: Buffer;
	bom: boolean;
	/** The content after the BOM, decoded as UTF-8. */
	text: string;
}

/** Bytes for text in the file's own encoding: UTF-8, with the BOM when the file had one. */
export function encodeText(text: string, bom: boolean): Buffer {
	const body = Buffer.from(text, 'utf8');
	return bom ? Buffer.concat([BOM, body]) : body;
}

/** Reads a text file; refuses one whose bytes would not survive a UTF-8 round trip (UTF-16, stray bytes). */
export function decodeTextFile(path: string, bytes: Buffer): TextFile {
	const bom = bytes.subarray(0, 3).equals(BOM);
	const text = bytes.subarray(bom ? 3 : 0).toString('utf8');
	if (!encodeText(text, bom).equals(bytes)) {
		const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe || bytes[0] === 0xfe && bytes[1] === 0xff;
		throw projectFileInvalid(path, utf16
			? 'the file is UTF-16; kubebridge reads and edits UTF-8 files only (save it as UTF-8 in Visual Studio: File > Save As > Save with Encoding).'
			: 'the file is not valid UTF-8.');
	}
	return { path, bytes, bom, text };
}

export function readTextFile(path: string): TextFile {
	return decodeTextFile(path, readFileSync(path));
}
