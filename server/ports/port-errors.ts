import { ErrorCodes } from '../../protocol/index.js';
import { KubebridgeError } from '../errors.js';
import type { PortHolder } from './port-holder-types.js';

function holderText(holder: PortHolder | undefined): string {
	if (!holder) return 'a process kubebridge could not identify';
	if (holder.pid === null) return "a process of another user (run as that user or as an administrator to see which)";
	return `pid ${holder.pid}${holder.command ? ` (${holder.command})` : ''}`;
}

/** `address:port` is taken; the first holder found is named in the message and in `data`. */
export function localPortInUse(address: string, port: number, holders: PortHolder[]): KubebridgeError {
	const holder = holders[0];
	const others = holders.length > 1 ? ` and ${holders.length - 1} other process(es)` : '';
	return new KubebridgeError(ErrorCodes.LocalPortInUse, {
		reason: 'localPortInUse', address, port,
		...(holder?.pid != null ? { pid: holder.pid } : {}),
		...(holder?.command ? { command: holder.command } : {}),
		hint: 'Stop that process, allow kubebridge to stop it, or choose another local port.',
	}, `${address}:${port} is in use by ${holderText(holder)}${others}.`);
}
