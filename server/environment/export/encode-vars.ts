import { NotRepresentable } from './export-errors.js';
import type { ExportOptions, ExportVar, OmittedVar } from './export-types.js';

/**
 * Encodes each variable with `encode`, which throws `NotRepresentable` for one the format
 * cannot carry: that fails the export, or with `omitUnrepresentable` is listed and skipped.
 */
export function encodeVars<T>(vars: readonly ExportVar[], options: ExportOptions, encode: (variable: ExportVar) => T): { encoded: T[]; omitted: OmittedVar[] } {
	const encoded: T[] = [];
	const omitted: OmittedVar[] = [];
	for (const variable of vars) {
		try {
			encoded.push(encode(variable));
		} catch (error) {
			if (!(error instanceof NotRepresentable) || !options.omitUnrepresentable) throw error;
			omitted.push({ name: variable.name, why: error.why });
		}
	}
	return { encoded, omitted };
}
