import { ErrorCodes } from '../../../protocol/index.js';
import { KubebridgeError } from '../../errors.js';
import type { ExportFormat } from './export-types.js';

/** A variable a format cannot carry exactly; written anyway, it would arrive changed. */
export class NotRepresentable extends KubebridgeError {
	constructor(readonly variable: string, format: ExportFormat, readonly why: string) {
		super(ErrorCodes.ExportNotRepresentable, {
			reason: 'valueNotRepresentable', name: variable,
			hint: 'Export to another format (.env or JSON carry more), or ask to omit what the format cannot carry.',
		}, `The ${format} format cannot carry env var ${variable}: ${why}.`);
	}
}
