import { findFreePort } from '../ports/find-free-port.js';
import { freePort } from '../ports/free-port.js';
import { findPortHolders } from '../ports/port-holders.js';
import type { PortHolder } from '../ports/port-holder-types.js';
import { needsPrivilegeToBind } from '../ports/privileged-ports.js';
import type { PortListener } from './port-listener.js';

/** Where a low port is served when this process may not bind it: 80 → 8080, 443 → 8443. */
const LOW_PORT_OFFSET = 8000;

export interface BoundPort {
	localPort: number;
	/** Why the port differs from the one wanted, for the user. */
	note: string | null;
}

/** What the user is asked about a taken port. */
export interface FreePortQuestion {
	address: string;
	port: number;
	/** The service that wants it, as `service.namespace`. */
	service: string;
	holders: PortHolder[];
	message: string;
}

/** Asks the user whether the holders of a taken port may be stopped. */
export type ConfirmFree = (question: FreePortQuestion) => Promise<boolean>;

export interface BindPolicy {
	/** Stop the process holding a taken port: always (the user agreed), never, or when the user says so. */
	freeBusyPorts: boolean | ConfirmFree;
	/** Any free port will do (no-hosts mode): a taken one is not worth a note. */
	anyPort: boolean;
}

const describe = (holders: PortHolder[]): string => holders.length === 0 ? 'a process kubebridge could not identify'
	: holders.map((h) => h.pid === null ? 'a process of another user' : `pid ${h.pid}${h.command ? ` (${h.command})` : ''}`).join(', ');

async function consents(policy: BindPolicy['freeBusyPorts'], address: string, port: number, holders: PortHolder[], label: string): Promise<boolean> {
	if (typeof policy === 'boolean') return policy;
	return policy({ address, port, service: label, holders,
		message: `${label} needs ${address}:${port}, which ${describe(holders)} holds. Stop it? (Otherwise kubebridge uses another port.)` });
}

/** The port to bind for `port` (moved when it is low and this process may not bind it), and the note that says so. */
export function portToTry(port: number, label: string, suffix = ''): { wanted: number; lowNote: string | null } {
	if (!needsPrivilegeToBind(port)) return { wanted: port, lowNote: null };
	return {
		wanted: Math.min(port + LOW_PORT_OFFSET, 65535),
		lowNote: `${label} port ${port}${suffix} needs privilege to bind on this machine (see \`setcap\` in docs/outbound.md)`,
	};
}

/**
 * Binds `listener` to `port` of `address` or, when it cannot have it, to a port near it, and
 * says why: a low port this process may not bind (docs/outbound.md, "Ports below 1024"), or
 * a port another process holds (named with its pid and command line; stopped only when the
 * user agreed).
 */
export async function bindPort(listener: PortListener, address: string, port: number, label: string, policy: BindPolicy): Promise<BoundPort> {
	const { wanted, lowNote } = portToTry(port, label);
	try {
		await listener.listen(address, wanted);
		return { localPort: wanted, note: lowNote && `${lowNote}; it listens on ${address}:${wanted}.` };
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
	}
	const holders = await findPortHolders(wanted, address);
	if (holders.some((h) => h.pid !== null) && await consents(policy.freeBusyPorts, address, wanted, holders, label)) {
		await freePort(address, wanted, holders);
		await listener.listen(address, wanted);
		return { localPort: wanted, note: `${address}:${wanted} was held by ${describe(holders)}, which kubebridge stopped as the user allowed.` };
	}
	const other = await findFreePort(address, wanted);
	await listener.listen(address, other);
	if (policy.anyPort) return { localPort: other, note: null };
	return { localPort: other, note: `${address}:${wanted} is held by ${describe(holders)}; ${label} port ${port} listens on ${address}:${other} instead.` };
}
