import type { Argv } from 'yargs';
import type { ConfigFeatures, OutboundOptions } from '../../protocol/index.js';
import { terminalPortQuestion, type PortQuestion } from './port-question.js';

/** The flags of outbound access, shared by every command that connects a session. */
export function withOutboundFlags<T>(y: Argv<T>) {
	return y
		.option('outbound', { type: 'boolean', describe: "Reach the cluster's services from this machine by their names (--no-outbound: not at all; default: kubebridge.yaml's features.outbound, else on)" })
		.option('hosts', { type: 'boolean', describe: 'Write the services\' names to the hosts file (--no-hosts: 127.0.0.1 ports only, see the table; default: kubebridge.yaml\'s features.hostsFile, else on)' })
		.option('hosts-file', { type: 'string', describe: "The hosts file to edit (default: the system's)" })
		.option('outbound-namespace', { type: 'string', array: true, describe: "Also reach this namespace's services" })
		.option('free-busy-ports', { type: 'boolean', describe: 'Stop a process holding a port a service needs (--no-free-busy-ports: never, use another port and say so; default: ask when run in a terminal, else another port)' });
}

export interface OutboundArgs {
	outbound?: boolean;
	hosts?: boolean;
	'hosts-file'?: string;
	'outbound-namespace'?: string[];
	'free-busy-ports'?: boolean;
}

/** What the flags ask for; a switch not typed is the workspace file's (`features`, defaults filled in). */
export function outboundOptions(args: OutboundArgs, features: Required<ConfigFeatures>): OutboundOptions | undefined {
	if (!(args.outbound ?? features.outbound)) return undefined;
	return {
		hostsFile: args.hosts ?? features.hostsFile,
		...(args['hosts-file'] ? { hostsPath: args['hosts-file'] } : {}),
		...(args['outbound-namespace']?.length ? { namespaces: args['outbound-namespace'] } : {}),
		...(args['free-busy-ports'] === undefined ? {} : { freeBusyPorts: args['free-busy-ports'] }),
	};
}

/** The terminal question for a busy port, unless the flags already answered it. */
export const portQuestionFor = (args: OutboundArgs): PortQuestion | null =>
	(args['free-busy-ports'] === undefined ? terminalPortQuestion() : null);
