import type { Argv } from 'yargs';
import type { OutboundOptions } from '../../protocol/index.js';

/** The flags of outbound access, shared by every command that connects a session. */
export function withOutboundFlags<T>(y: Argv<T>) {
	return y
		.option('outbound', { type: 'boolean', default: true, describe: "Reach the cluster's services from this machine by their names (--no-outbound: not at all)" })
		.option('hosts', { type: 'boolean', default: true, describe: 'Write the services\' names to the hosts file (--no-hosts: 127.0.0.1 ports only, see the table)' })
		.option('hosts-file', { type: 'string', describe: "The hosts file to edit (default: the system's)" })
		.option('outbound-namespace', { type: 'string', array: true, describe: "Also reach this namespace's services" })
		.option('free-busy-ports', { type: 'boolean', default: false, describe: 'Stop a process holding a port a service needs (default: use another port and say so)' });
}

export interface OutboundArgs {
	outbound?: boolean;
	hosts?: boolean;
	'hosts-file'?: string;
	'outbound-namespace'?: string[];
	'free-busy-ports'?: boolean;
}

export function outboundOptions(args: OutboundArgs): OutboundOptions | undefined {
	if (args.outbound === false) return undefined;
	return {
		hostsFile: args.hosts !== false,
		...(args['hosts-file'] ? { hostsPath: args['hosts-file'] } : {}),
		...(args['outbound-namespace']?.length ? { namespaces: args['outbound-namespace'] } : {}),
		...(args['free-busy-ports'] ? { freeBusyPorts: true } : {}),
	};
}
