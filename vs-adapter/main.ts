import { resolve } from 'node:path';
import yargs from 'yargs';
import { KUBEBRIDGE_VERSION } from '../server/client-surface.js';
import { runConnect, runHost } from './commands/connect-command.js';
import { say } from './commands/output.js';
import { adapterExecutable, sidecarExecutable } from './commands/self.js';
import { runDiagnostics, runDisconnect, runStatus } from './commands/session-commands.js';
import type { HostOptions } from './session/session-host.js';
import { defaultStateDirectory } from './session/session-state.js';
import { writeVssettings } from './tools/vssettings.js';

interface Args {
	'solution-dir': string;
	'project-dir'?: string;
	service?: string;
	'local-port'?: number;
	namespace?: string;
	context?: string;
	kubeconfig?: string;
	'agent-image'?: string;
	'agent-base-image'?: string;
}

/** The options every command shares, from the arguments; paths made absolute here, before any process changes folder. */
function hostOptions(args: Args): HostOptions {
	return {
		solutionDir: resolve(args['solution-dir']),
		projectDir: args['project-dir'] ? resolve(args['project-dir']) : null,
		sidecar: sidecarExecutable(),
		...(args.kubeconfig ? { kubeconfig: resolve(args.kubeconfig) } : {}),
		...(args.context ? { context: args.context } : {}),
		...(args['agent-image'] ? { agentImage: args['agent-image'] } : {}),
		...(args['agent-base-image'] ? { agentBaseImage: args['agent-base-image'] } : {}),
		choices: {
			...(args.service ? { service: args.service } : {}),
			...(args['local-port'] ? { localPort: args['local-port'] } : {}),
			...(args.namespace ? { namespace: args.namespace } : {}),
		},
		stateDirectory: process.env.KUBEBRIDGE_VS_STATE_DIR ?? defaultStateDirectory(),
		...(process.env.KUBEBRIDGE_VS_RECORD_DIR ? { recordDirectory: process.env.KUBEBRIDGE_VS_RECORD_DIR } : {}),
	};
}

/** Runs one command; the exit code is what External Tools and scripts see. */
export async function main(argv: string[]): Promise<number> {
	let code = 0;
	const run = (work: Promise<number>): Promise<void> => work.then((c) => { code = c; });
	await yargs(argv)
		.scriptName('kubebridge-vs')
		.usage('$0 <command> [options]\n\nkubebridge for Visual Studio: connect the selected project to its service in the cluster, F5 with its environment.')
		.option('solution-dir', { type: 'string', default: '.', describe: 'The solution folder ($(SolutionDir)); a folder, .sln or project file', global: true })
		.option('project-dir', { type: 'string', describe: 'The selected project\'s folder ($(ProjectDir))', global: true })
		.option('service', { type: 'string', describe: 'The service to connect (default: kubebridge.yaml, then the project\'s name matched)', global: true })
		.option('local-port', { type: 'number', describe: 'Where the project listens (default: kubebridge.yaml, then launchSettings.json)', global: true })
		.option('namespace', { alias: 'n', type: 'string', describe: 'Namespace (default: kubebridge.yaml, then the context\'s)', global: true })
		.option('context', { type: 'string', describe: 'Kubeconfig context (default: the current one)', global: true })
		.option('kubeconfig', { type: 'string', describe: 'Kubeconfig file (default: KUBECONFIG, then %USERPROFILE%\\.kube\\config)', global: true })
		.option('agent-base-image', { type: 'string', describe: 'The Node.js image the agent\'s script runs on, e.g. a mirror of node:24-slim (default: the sidecar\'s)', global: true })
		.option('agent-image', { type: 'string', describe: 'A full agent image with its own script (default: the sidecar\'s)', global: true })
		.conflicts('agent-image', 'agent-base-image')
		.command('connect', 'Connect the project\'s service and write the launch profile; the session stays in the background', {},
			(args) => run(runConnect(hostOptions(args as unknown as Args))))
		.command('status', 'Say whether a session runs for the solution, and what it redirects', {},
			(args) => run(runStatus(hostOptions(args as unknown as Args))))
		.command('disconnect', 'Restore the cluster and remove the launch profile', {},
			(args) => run(runDisconnect(hostOptions(args as unknown as Args))))
		.command('diagnostics', 'The session\'s state and log files', {},
			(args) => run(runDiagnostics(hostOptions(args as unknown as Args))))
		.command('tools', 'Write the .vssettings file with the Tools menu entries', (y) => y
			.option('out', { type: 'string', default: 'kubebridge.vssettings', describe: 'The file to write' }),
		(args) => {
			const out = resolve(args.out);
			writeVssettings(out, adapterExecutable());
			say(`Wrote ${out}: import it in Visual Studio with Tools > Import and Export Settings.`);
		})
		.command('host', false, (y) => y.option('options', { type: 'string', demandOption: true }),
			(args) => run(runHost(JSON.parse(args.options) as HostOptions)))
		.demandCommand(1, 'Name a command; see --help.')
		.strict()
		.version(KUBEBRIDGE_VERSION)
		.parseAsync();
	return code;
}
