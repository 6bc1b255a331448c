import { isPortFree } from './find-free-port.js';
import { localPortInUse } from './port-errors.js';
import { findPortHolders } from './port-holders.js';

/** Resolves when `address:port` can be bound; otherwise fails with `localPortInUse` naming the holder. */
export async function assertPortFree(address: string, port: number): Promise<void> {
	if (await isPortFree(address, port)) return;
	throw localPortInUse(address, port, await findPortHolders(port, address));
}
