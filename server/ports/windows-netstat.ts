import type { TcpListener } from './port-holder-types.js';

export interface WindowsListener extends TcpListener {
	pid: number;
}

/**
 * The listening sockets of `netstat -ano -p TCP` (and `-p TCPv6`). The state column is
 * translated on non-English Windows, so a listener is recognised by its foreign address
 * (`0.0.0.0:0` or `[::]:0`), which every language prints the same.
 */
export function parseNetstat(text: string): WindowsListener[] {
	const listeners: WindowsListener[] = [];
	for (const line of text.split(/\r?\n/)) {
		const fields = line.trim().split(/\s+/);
		if (fields.length !== 5 || !/^TCP(v6)?$/i.test(fields[0]!)) continue;
		const [, local, foreign, , pid] = fields as [string, string, string, string, string];
		if (!/^(0\.0\.0\.0|\[::\]):0$/.test(foreign) || !/^\d+$/.test(pid)) continue;
		const split = local.lastIndexOf(':');
		listeners.push({ address: local.slice(0, split).replace(/^\[|\]$/g, ''), port: Number(local.slice(split + 1)), pid: Number(pid) });
	}
	return listeners;
}

/** One CSV record of `tasklist /FO CSV /NH`: every field quoted, quotes doubled inside. */
function csvFields(line: string): string[] {
	const fields: string[] = [];
	const field = /"((?:[^"]|"")*)"(?:,|$)/g;
	for (let match = field.exec(line); match; match = field.exec(line)) fields.push(match[1]!.replace(/""/g, '"'));
	return fields;
}

/** Image names by pid from `tasklist /FO CSV /NH` ("node.exe","4420","Console","1","35,120 K"). */
export function parseTasklist(text: string): Map<number, string> {
	const images = new Map<number, string>();
	for (const line of text.split(/\r?\n/)) {
		const [image, pid] = csvFields(line.trim());
		if (image && pid && /^\d+$/.test(pid)) images.set(Number(pid), image);
	}
	return images;
}
