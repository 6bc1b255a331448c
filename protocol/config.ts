import { Type, type Static } from '@sinclair/typebox';
import { RequestType } from 'vscode-jsonrpc';
import { Closed, Dictionary, NonEmptyString, Port, StringEnum } from './schema.js';
import type { ErrorData } from './errors.js';
import { RouteHeader, TargetMode, TargetWorkloadKind } from './session.js';
import type { RequestTraits } from './traits.js';

/** A Kubernetes object name as the workspace file may write it (an RFC 1123 label). */
const Name = (description?: string) => Type.String({
	pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 253, ...(description ? { description } : {}),
});

export const ConfigTarget = Closed({
	service: Type.Optional(Name('The Service whose traffic the local program receives.')),
	workload: Type.Optional(Closed({ kind: TargetWorkloadKind, name: Name() }, {
		description: 'The workload to replace when there is no Service (or to pick one of several behind it).',
	})),
	namespace: Type.Optional(Name("Default: the kubeconfig context's namespace.")),
	container: Type.Optional(Name("The container the local program replaces. Default: the one serving the Service's ports.")),
	ports: Type.Optional(Type.Array(Closed({
		remote: Port({ description: "The container's port." }),
		local: Port({ description: 'The port the local program listens on.' }),
		protocol: Type.Optional(StringEnum(['TCP', 'UDP'], { description: 'TCP or UDP. Default: the port number in whichever of the two the container serves it.' })),
	}), { description: 'Which container port goes to which local port. Default: each port to the same number locally.' })),
	route: Type.Optional(RouteHeader),
	mode: Type.Optional(TargetMode),
}, { oneOf: [{ required: ['service'] }, { required: ['workload'] }] });
export type ConfigTarget = Static<typeof ConfigTarget>;

export const ConfigLaunch = Closed({
	command: Type.Union([NonEmptyString(), Type.Array(Type.String(), { minItems: 1 })], {
		description: "The program and its arguments: an array (no shell), or one string run by the platform's shell.",
	}),
	cwd: Type.Optional(Type.String({ description: 'Working directory, relative to the workspace folder. Default: the workspace folder.' })),
}, { description: 'How `kubebridge run` and editors start the local program.' });
export type ConfigLaunch = Static<typeof ConfigLaunch>;

export const ConfigFeatures = Closed({
	hostsFile: Type.Optional(Type.Boolean({ description: "Add the cluster's Service names to the hosts file so the program reaches them by name. Default: true." })),
	outbound: Type.Optional(Type.Boolean({ description: "Forward the program's connections to cluster Services and rewrite their service env vars to local addresses. Default: true." })),
	probes: Type.Optional(Type.Boolean({ description: "Once connected, the agent pods' readiness follows the replaced container's httpGet readinessProbe, answered by the local program; liveness stays the agent's own. Default: false." })),
	mountFiles: Type.Optional(Type.Boolean({ description: "Copy the container's mounted files to a local folder. Default: true." })),
}, { description: 'Switches for what kubebridge changes on this machine and in the cluster.' });
export type ConfigFeatures = Static<typeof ConfigFeatures>;

export const ConfigAgent = Closed({
	baseImage: Type.Optional(NonEmptyString({
		description: "A Node.js 24 image (node at /usr/local/bin/node) the agents and the restorer run kubebridge's agent script on, e.g. a mirror of node:24-slim in your registry. Default: node:24-slim.",
	})),
	image: Type.Optional(NonEmptyString({ description: 'A full agent image that carries its own script (built from agent/Dockerfile), instead of a base image.' })),
}, {
	not: { required: ['image', 'baseImage'] },
	description: 'The image the agents and the restorer run: for mirrors and air-gapped clusters. A command-line flag or env var wins over it.',
});
export type ConfigAgent = Static<typeof ConfigAgent>;

export const WorkspaceConfig = Closed({
	version: Type.Literal(1, { description: "The format's version. Only 1 exists." }),
	targets: Type.Optional(Type.Array(ConfigTarget, { description: 'What in the cluster the local program stands in for.' })),
	launch: Type.Optional(ConfigLaunch),
	env: Type.Optional(Dictionary(Type.String(), {
		propertyNames: { pattern: '^[^=\\u0000]+$' },
		description: 'Env vars to add or override on top of the container\'s. Values may hold tokens: $(services:NAME[.NAMESPACE]) is the local address of a Service, $(volumeMounts:NAME) the local folder of a volume mount, $(externalEndpoints:HOST:PORT) the local address of a host outside the cluster reached through the agent. $$ is a literal $.',
	})),
	features: Type.Optional(ConfigFeatures),
	agent: Type.Optional(ConfigAgent),
}, {
	title: 'kubebridge workspace configuration (kubebridge.yaml)',
	description: 'What kubebridge connects, how the local program is launched and which env vars it adds or overrides. Written once per workspace; kubebridge reads it from the workspace folder.',
});
export type WorkspaceConfig = Static<typeof WorkspaceConfig>;

export const ConfigParams = Closed({});
export type ConfigParams = Static<typeof ConfigParams>;

export interface ConfigResult {
	/** The workspace folder the configuration is looked for in; null when the client named none. */
	workspaceFolder: string | null;
	/** The file read; null when the folder has none. */
	file: string | null;
	/** The file's content; null when there is none. */
	config: WorkspaceConfig | null;
	/** The feature switches a session uses: the file's, with the defaults filled in. */
	features: Required<ConfigFeatures>;
}

/** The workspace's `kubebridge.yaml`, read now: a bad file fails with `configInvalid` naming line and field. */
export namespace ConfigRequest {
	export const method = 'config/get' as const;
	export const type = new RequestType<ConfigParams, ConfigResult, ErrorData>(method);
	export const paramsSchema = ConfigParams;
	export const traits: RequestTraits = { direction: 'clientToServer', reportsProgress: false, cancellable: false };
}
