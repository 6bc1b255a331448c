import { ErrorCodes } from '../../../protocol/index.js';
import { KubebridgeError } from '../../errors.js';

export const routeNotPossible = (what: string, why: string, hint?: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.TargetNotConnectable, { reason: 'routeNotPossible', ...(hint ? { hint } : {}) }, `Cannot route ${what} by header or mirror it: ${why}`);

export const routeTaken = (what: string, header: string, value: string, holder: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.TargetTakenOver, {
		reason: 'routeTaken',
		hint: 'Pick another value. If that session is gone (its process crashed), its restorer takes its route away within half a minute.',
	}, `Requests of ${what} carrying '${header}: ${value}' already go to another kubebridge session (${holder}).`);
