import type { PortHolder } from './port-holder-types.js';

/**
 * The output of `lsof -nP -iTCP:<port> -sTCP:LISTEN -F pcn`: a `p<pid>` line starts each
 * process, `c<command>` names it, and each of its sockets is an `f<fd>` line followed by
 * `n<address>:<port>` (`*:8080` for every address, `[::1]:8080` for IPv6).
 */
export function parseLsof(text: string): PortHolder[] {
	const holders: PortHolder[] = [];
	let pid: number | null = null;
	let command: string | null = null;
	for (const line of text.split('\n')) {
		const value = line.slice(1);
		if (line.startsWith('p')) {
			pid = Number(value);
			command = null;
		} else if (line.startsWith('c')) {
			command = value;
		} else if (line.startsWith('n') && pid !== null) {
			const split = value.lastIndexOf(':');
			const address = value.slice(0, split).replace(/^\[|\]$/g, '');
			holders.push({ address: address === '*' ? '0.0.0.0' : address, port: Number(value.slice(split + 1)), pid, command });
		}
	}
	return holders;
}
