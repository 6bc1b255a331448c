import yargs, { type Argv } from 'yargs';
import { resolve } from 'node:path';
import {
	ContextsRequest, DiagnosticsRequest, EnvironmentRequest, ExportRequest, NamespacesRequest, RestoreRequest, ServicesRequest,
	type ClusterOptions, type ConnectTarget, type ExportFormatName, type ExportResultInfo,
} from '../../protocol/index.js';
import { runConnect } from './connect-command.js';
import { formatDiagnostics } from './format-diagnostics.js';
import { withOutboundFlags } from './outbound-flags.js';
import { formatContexts, formatEnvironment, formatNamespaces, formatRestore, formatServices } from './format.js';
import { parsePortMapping, parseRouteHeader, parseTarget } from './targets.js';
import { runCommand, type OutputFormat } from './run-command.js';
import { splitProgramWords } from './program-words.js';
import { processSeams, runProgram, type RunSeams } from './run-program.js';
import { serveStdio } from './serve-stdio.js';
import { logDirectory } from '../log/logger.js';
import { DEFAULT_AGENT_BASE_IMAGE, type AgentImageChoice } from '../session/agent-runtime.js';
import { KUBEBRIDGE_VERSION } from '../version.js';

interface GlobalArgs {
	kubeconfig?: string;
	context?: string;
	namespace?: string;
	'request-timeout'?: number;
	output: OutputFormat;
}

function clusterOptions(args: GlobalArgs): ClusterOptions {
	return {
		...(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {}),
		...(args.context ? { context: args.context } : {}),
		...(args.namespace ? { namespace: args.namespace } : {}),
		...(args['request-timeout'] ? { requestTimeoutMs: args['request-timeout'] } : {}),
	};
}

/** The agent image flags as typed; absent when neither is, so the env vars and kubebridge.yaml decide. */
const agentOf = (args: unknown): { agent?: AgentImageChoice } => {
	const typed = args as { 'agent-image'?: string; 'agent-base-image'?: string };
	if (!typed['agent-image'] && !typed['agent-base-image']) return {};
	return { agent: { image: typed['agent-image'] || undefined, baseImage: typed['agent-base-image'] || undefined } };
};

// yargs' types lose the global options inside command handlers; they are there at run time.
const commandOptions = (args: unknown) => {
	const globals = args as GlobalArgs;
	return { cluster: clusterOptions(globals), output: globals.output, ...agentOf(args) };
};

/** The target and outbound options of `connect` and `run`; with no target, the workspace file's apply. */
const targetOptions = <T>(y: Argv<T>) => withOutboundFlags(y)
	.positional('service', { type: 'string', describe: 'The service to connect (or use --target; default: the targets of kubebridge.yaml)' })
	.option('target', { alias: 't', type: 'string', array: true, describe: 'NAME, service/NAME, deployment/NAME, statefulset/NAME, replicaset/NAME or pod/NAME, with :LOCALPORT' })
	.option('local-port', { alias: 'p', type: 'number', describe: "The local port for the service's first port (default: kubebridge.yaml's, else the same number)" })
	.option('port', { type: 'string', array: true, describe: 'REMOTE:LOCAL for one container port' })
	.option('container', { type: 'string', describe: 'The container to replace (default: the one serving the service)' })
	.option('route-header', { type: 'string', describe: 'NAME=VALUE: only requests carrying this header reach this machine; the original pods serve the rest and keep running' })
	.option('mode', { type: 'string', choices: ['replace', 'mirror'], describe: 'mirror: the original pods serve every request and this machine gets a copy of each' });

interface TargetArgs {
	service?: string; target?: string[]; 'local-port'?: number; port?: string[]; container?: string; 'route-header'?: string; mode?: 'replace' | 'mirror';
}

/** The targets typed on the command line: the positional service with its flags, then each --target. */
function targetsOf(args: unknown): ConnectTarget[] {
	const { namespace } = args as GlobalArgs;
	const typed = args as TargetArgs;
	const single = typed.service ? [{
		...parseTarget(typed.service, namespace),
		...(typed['local-port'] ? { localPort: typed['local-port'] } : {}),
		...(typed.port ? { ports: typed.port.map(parsePortMapping) } : {}),
		...(typed.container ? { container: typed.container } : {}),
	}] : [];
	// The sharing flags are about requests, not one port or container: they apply to every target typed.
	const sharing = { ...(typed['route-header'] ? { route: parseRouteHeader(typed['route-header']) } : {}), ...(typed.mode ? { mode: typed.mode } : {}) };
	return [...single, ...(typed.target ?? []).map((t) => parseTarget(t, namespace))].map((t) => ({ ...t, ...sharing }));
}

/** `cluster/services` params: the namespace only when the user named one. */
function namespaceParams(args: unknown): { workDoneToken: string; namespace?: string } {
	const { namespace } = args as GlobalArgs;
	return { workDoneToken: 'cli', ...(namespace ? { namespace } : {}) };
}

/** Runs the command line; `runSeams` are what `run` touches outside itself (tests replace them). */
export async function main(argv: string[], runSeams: RunSeams = processSeams): Promise<void> {
	// `run` hands the words after `--` to the program as typed; yargs never sees them.
	const { own, program } = splitProgramWords(argv);
	await (yargs(own) as Argv<GlobalArgs>)
		.scriptName('kubebridge')
		.usage('$0 <command> [options]\n\nRun and debug one service on your computer while it stays wired into its cluster.')
		.option('kubeconfig', { type: 'string', describe: 'Kubeconfig file (default: KUBECONFIG, then ~/.kube/config)', global: true })
		.option('context', { type: 'string', describe: 'Kubeconfig context (default: the current one)', global: true })
		.option('namespace', { alias: 'n', type: 'string', describe: "Namespace (default: the context's)", global: true })
		.option('request-timeout', { type: 'number', describe: 'Milliseconds one API call may take', global: true })
		.option('agent-base-image', { type: 'string', describe: `The Node.js image the agent's script runs on, e.g. a mirror (default: KUBEBRIDGE_AGENT_BASE_IMAGE, else kubebridge.yaml's agent.baseImage, else ${DEFAULT_AGENT_BASE_IMAGE})`, global: true })
		.option('agent-image', { type: 'string', describe: 'A full agent image with its own script, built from agent/Dockerfile (default: KUBEBRIDGE_AGENT_IMAGE, else kubebridge.yaml\'s agent.image)', global: true })
		.conflicts('agent-image', 'agent-base-image')
		.option('output', { alias: 'o', choices: ['table', 'json'] as const, default: 'table' as OutputFormat, describe: 'Output format', global: true })
		.command('serve', 'Run the sidecar: JSON-RPC on stdin/stdout for an editor', (y) => y
			.option('stdio', { type: 'boolean', default: true, describe: 'Speak the protocol on stdin/stdout (the only transport)' })
			.check((args) => args.stdio || 'stdio is the only transport: drop --no-stdio')
			.option('framing', { choices: ['headers', 'lines'] as const, default: 'headers' as const,
				describe: 'Content-Length headers (editors), or one JSON message per line (by hand)' })
			.option('clientProcessId', { type: 'number', describe: 'Exit when this process is gone' }),
		(args) => serveStdio({
			framing: args.framing,
			cluster: clusterOptions(args),
			...(args.clientProcessId ? { clientProcessId: args.clientProcessId } : {}),
			...agentOf(args),
		}))
		.command('connect [service]', "Send a service's traffic in the cluster to a process on this machine, until Ctrl-C", (y) => targetOptions(y),
			(args) => runConnect({ ...commandOptions(args), targets: targetsOf(args), outboundArgs: args }))
		.command('run [service]', "Connect, run a program with the container's environment, and restore the cluster when it exits", (y) => targetOptions(y)
			.usage('$0 run [service] [options] -- <program> [args...]')
			.epilogue("The program gets the container's env vars over this shell's and the service's traffic on the local port; kubebridge exits with its exit status. Without a program after --, launch.command of kubebridge.yaml runs."),
		async (args) => {
			process.exitCode = await runProgram({ ...commandOptions(args), targets: targetsOf(args), outboundArgs: args, command: program }, runSeams);
		})
		.command('env <target>', "Show a service's container environment as the cluster builds it, or write it for an editor or shell", (y) => y
			.positional('target', { type: 'string', demandOption: true, describe: 'NAME (a service), service/NAME, deployment/NAME, …' })
			.option('container', { type: 'string', describe: 'Default: the one serving the service' })
			.option('format', { choices: ['dotenv', 'launchSettings', 'vscode', 'bash', 'powershell', 'cmd'] as const, describe: 'Write the environment in this format to stdout (secret values included)' })
			.option('omit-unrepresentable', { type: 'boolean', default: false, describe: 'With --format: leave out (and name on stderr) what the format cannot carry' })
			.option('reveal', { type: 'boolean', default: false, describe: 'Show secret values in the table' }),
		(args) => {
			const { namespace } = args as GlobalArgs;
			const target = { ...parseTarget(args.target, namespace), ...(args.container ? { container: args.container } : {}) };
			if (args.format) {
				const params = { target, format: args.format as ExportFormatName, omitUnrepresentable: args['omit-unrepresentable'], workDoneToken: 'cli' };
				return runCommand(commandOptions(args), ExportRequest.type, params, (r: ExportResultInfo) => {
					for (const left of r.omitted) process.stderr.write(`kubebridge: left out ${left.name}: ${left.why}\n`);
					return r.text.replace(/\n$/, '');
				});
			}
			return runCommand(commandOptions(args), EnvironmentRequest.type, { target, reveal: args.reveal, workDoneToken: 'cli' }, formatEnvironment);
		})
		.command('restore', 'Put back what a kubebridge session whose process is gone left in a namespace and on this machine', (y) => y
			.option('hosts-file', { type: 'string', describe: "The hosts file to remove its names from (default: the system's)" }),
		(args) => runCommand(commandOptions(args), RestoreRequest.type, { ...namespaceParams(args), ...(args['hosts-file'] ? { hostsPath: args['hosts-file'] } : {}) },
			formatRestore))
		.command('diagnostics', 'Show what kubebridge sees on this machine and in the cluster; --bundle writes an archive for a bug report', (y) => y
			.option('bundle', { type: 'string', describe: 'Also write a .tar.gz of the diagnostics and logs, secrets redacted (default name: kubebridge-diagnostics-TIME.tar.gz here)' })
			.option('reveal', { type: 'boolean', default: false, describe: 'Show secret values' }),
		(args) => runCommand(commandOptions(args), DiagnosticsRequest.type, {
			...namespaceParams(args), reveal: args.reveal,
			...(args.bundle !== undefined ? { bundle: resolve(args.bundle || `kubebridge-diagnostics-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`) } : {}),
		}, formatDiagnostics))
		.command('services', 'List the services of a namespace and whether each can be connected', {},
			(args) => runCommand(commandOptions(args), ServicesRequest.type,
				namespaceParams(args), formatServices))
		.command('namespaces', 'List the namespaces of the cluster', {},
			(args) => runCommand(commandOptions(args), NamespacesRequest.type, { workDoneToken: 'cli' }, formatNamespaces))
		.command('contexts', 'List the contexts of the kubeconfig', {},
			(args) => runCommand(commandOptions(args), ContextsRequest.type, {}, formatContexts))
		.completion('completion', 'Print a shell completion script (bash/zsh)')
		.demandCommand(1, 'Name a command; see --help.')
		.strict()
		.wrap(Math.min(100, process.stdout.columns ?? 100))
		.version(KUBEBRIDGE_VERSION)
		.epilogue(`Logs: ${logDirectory()}\nProtocol: protocol/PROTOCOL.md`)
		.fail((message, error, y) => {
			if (error && !message) throw error;
			process.stderr.write(`kubebridge: ${message ?? error.message}\n\n`);
			y.showHelp();
			process.exit(2);
		})
		.parseAsync();
}
