import { ErrorCodes } from '../../protocol/index.js';
import { KubebridgeError } from '../errors.js';

export const targetNotFound = (what: string, namespace: string, hint: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.TargetNotConnectable, { reason: 'targetNotFound', hint }, `There is no ${what} in namespace '${namespace}'.`);

export const targetNotConnectable = (what: string, why: string, hint?: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.TargetNotConnectable, { reason: 'targetNotConnectable', ...(hint ? { hint } : {}) }, `Cannot connect ${what}: ${why}`);
