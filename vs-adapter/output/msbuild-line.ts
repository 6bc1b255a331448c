import { ResponseError } from 'vscode-jsonrpc';
import type { ErrorData } from '../../protocol/index.js';
import { asKubebridgeError, KubebridgeError } from '../../server/client-surface.js';

/** The origin written when no file is involved: the tool itself, as MSBuild tools do (`csc : error CS2001: ...`). */
const TOOL_ORIGIN = 'kubebridge-vs';

export interface OutputDiagnostic {
	severity: 'error' | 'warning';
	/** Letters then digits, no spaces or colons, e.g. `KB33601`. */
	code: string;
	message: string;
	file?: string;
	line?: number;
	column?: number;
}

/** kubebridge's codes are negative JSON-RPC numbers; MSBuild codes are a prefix and digits (CS0168, MSB3073). */
const diagnosticCode = (code: number): string => `KB${Math.abs(code)}`;

/**
 * MSBuild reads the origin up to the first colon, allowing one only as a drive letter
 * (`C:`), so a path with another colon would be cut short; such a path goes into the message.
 */
const usableAsOrigin = (file: string): boolean => !file.slice(/^[A-Za-z]:/.test(file) ? 2 : 0).includes(':');

const oneLine = (text: string): string => text.replace(/\s*\r?\n\s*/g, ' ').trim();

/**
 * One line in MSBuild's canonical message form, which Visual Studio's Output window and
 * Error List recognise (double-click opens the file at the line):
 * `file(line,col): error CODE: message`, or `kubebridge-vs: error CODE: message` without a file.
 */
export function formatDiagnostic(diagnostic: OutputDiagnostic): string {
	let origin = TOOL_ORIGIN;
	let message = oneLine(diagnostic.message);
	if (diagnostic.file !== undefined && usableAsOrigin(diagnostic.file)) {
		const position = diagnostic.line === undefined ? ''
			: diagnostic.column === undefined ? `(${diagnostic.line})` : `(${diagnostic.line},${diagnostic.column})`;
		origin = `${diagnostic.file}${position}`;
	} else if (diagnostic.file !== undefined) {
		message = `${diagnostic.file}: ${message}`;
	}
	return `${origin}: ${diagnostic.severity} ${diagnostic.code}: ${message}`;
}

/** Any thrown value as a diagnostic: a KubebridgeError (or the sidecar's error response) keeps its code, file and position; its hint follows the message. */
export function diagnosticOf(error: unknown): OutputDiagnostic {
	// An error the sidecar answered with is as typed as one thrown here.
	const data = error instanceof ResponseError ? error.data as ErrorData | undefined : undefined;
	const known = error instanceof ResponseError && data?.reason ? new KubebridgeError(error.code, data, error.message) : asKubebridgeError(error);
	const { file, line, column, hint } = known.data;
	// The message of a file error starts with the path; the origin already says it.
	const message = file !== undefined && known.message.startsWith(file) ? known.message.slice(file.length).replace(/^(?: line \d+)?:\s*/, '') : known.message;
	return {
		severity: 'error',
		code: diagnosticCode(known.code),
		message: hint ? `${message} ${hint}` : message,
		...(file !== undefined ? { file } : {}),
		...(line !== undefined ? { line } : {}),
		...(column !== undefined ? { column } : {}),
	};
}

export const formatError = (error: unknown): string => formatDiagnostic(diagnosticOf(error));
