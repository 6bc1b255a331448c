import { createServer } from 'node:net';

/** Whether `address:port` can be bound right now (another process may take it a moment later). */
export function isPortFree(address: string, port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve(true)));
	});
}

function ephemeralPort(address: string): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen({ host: address, port: 0, exclusive: true }, () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

/**
 * A port to use on `address` in place of a taken one: the next few ports after `wanted`
 * first, so a user who asked for 8080 gets 8081 rather than a random number, then any port
 * the OS hands out.
 */
export async function findFreePort(address: string, wanted: number, nearby = 20): Promise<number> {
	for (let port = wanted + 1; port <= Math.min(wanted + nearby, 65535); port++) {
		if (await isPortFree(address, port)) return port;
	}
	return ephemeralPort(address);
}
