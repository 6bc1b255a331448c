import { ErrorCodes } from '../../protocol/index.js';
import { KubebridgeError } from '../errors.js';
import type { SourcePosition } from './config-types.js';

/** A configuration file kubebridge cannot use: names the file, line, column and field. */
export function configInvalid(file: string, position: SourcePosition, pointer: string, problem: string): KubebridgeError {
	const field = pointer === '' ? 'the document' : pointer;
	return new KubebridgeError(ErrorCodes.ConfigInvalid, {
		reason: 'configInvalid', file, line: position.line, column: position.column, path: pointer,
		hint: 'Fix the file (editors that read protocol/schemas/kubebridge.schema.json show the allowed fields), then retry.',
	}, `${file}:${position.line}:${position.column}: ${field}: ${problem}.`);
}

/** A token whose target does not exist in this session (no such Service, mount or endpoint). */
export function configTokenUnresolved(file: string, position: SourcePosition, pointer: string, token: string, why: string): KubebridgeError {
	return new KubebridgeError(ErrorCodes.ConfigTokenUnresolved, {
		reason: 'configTokenUnresolved', file, line: position.line, column: position.column, path: pointer, name: token,
		hint: 'Correct the token, or connect what it names, then retry.',
	}, `${file}:${position.line}:${position.column}: ${pointer}: ${token} cannot be resolved: ${why}.`);
}

/** A token that only a connected session with the right feature can answer (outbound access, copied files). */
export function configTokenNeedsSession(file: string, position: SourcePosition, pointer: string, token: string, feature: string): KubebridgeError {
	return new KubebridgeError(ErrorCodes.ConfigTokenUnresolved, {
		reason: 'configTokenNeedsSession', file, line: position.line, column: position.column, path: pointer, name: token,
		hint: `Connect first (session/connect, or 'kubebridge run'), with ${feature} switched on, then retry.`,
	}, `${file}:${position.line}:${position.column}: ${pointer}: ${token} needs a connected session with ${feature}.`);
}
