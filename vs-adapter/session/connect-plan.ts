import { resolve } from 'node:path';
import type { WorkspaceConfig } from '../../protocol/index.js';
import { localPortNotProposed, projectNotSelected, serviceNotProposed } from '../errors.js';
import { profileNameFor, type ProfileFileKind } from '../profiles/profile-edit.js';
import { launchSettingsPath, type ProjectInfo, type WorkspaceInfo } from '../project/project-discovery.js';
import { launchVsPath } from '../project/open-folder.js';
import { proposeService } from '../project/service-match.js';

/** What the user said on the command line; each beats the workspace config and the project. */
export interface ConnectChoices {
	service?: string;
	localPort?: number;
	namespace?: string;
}

export interface ConnectPlan {
	project: ProjectInfo;
	service: string;
	/** Absent: the namespace of the kubeconfig's context. */
	namespace?: string;
	container?: string;
	localPort: number;
	/** Where F5 finds the cluster's environment. */
	profile: { file: string; kind: ProfileFileKind; entry: string; applicationUrl: string | null };
}

const samePath = (a: string, b: string): boolean => (process.platform === 'win32' ? resolve(a).toLowerCase() === resolve(b).toLowerCase() : resolve(a) === resolve(b));

/** The project selected in Solution Explorer (`$(ProjectDir)`), or the only one there is. */
export function selectProject(workspace: WorkspaceInfo, projectDir: string | null): ProjectInfo {
	const selected = projectDir === null ? undefined : workspace.projects.find((p) => samePath(p.directory, projectDir));
	if (selected) return selected;
	if (workspace.projects.length === 1) return workspace.projects[0]!;
	throw projectNotSelected(workspace.root, workspace.projects.map((p) => p.name));
}

/** The launch profile file: `launchSettings.json` of a project, `.vs/launch.vs.json` of an Open Folder root. */
function profileFile(project: ProjectInfo, localPort: number): Omit<ConnectPlan['profile'], 'entry'> {
	if (project.projectFile !== null) {
		return { file: launchSettingsPath(project.projectFile), kind: 'launchSettings', applicationUrl: `http://localhost:${localPort}` };
	}
	return { file: launchVsPath(project.directory), kind: 'launchVs', applicationUrl: null };
}

/**
 * Which service to connect, in which namespace, to which local port: the command line
 * first, then the first target of `kubebridge.yaml`, then what the project says (its name
 * matched against the cluster's services, the port its launch profile listens on).
 */
export function planConnect(project: ProjectInfo, config: WorkspaceConfig | null, services: readonly string[], choices: ConnectChoices): ConnectPlan {
	const configured = config?.targets?.find((t) => t.service !== undefined);
	let service = choices.service ?? configured?.service;
	if (service === undefined) {
		const proposal = proposeService(project.name, services);
		if (proposal.best === null) throw serviceNotProposed(project.name, proposal.candidates.map((c) => c.service));
		service = proposal.best;
	}
	const localPort = choices.localPort ?? configured?.ports?.[0]?.local ?? project.proposedPort;
	if (localPort === null || localPort === undefined) throw localPortNotProposed(project.name);
	const namespace = choices.namespace ?? configured?.namespace;
	return {
		project, service, localPort,
		...(namespace ? { namespace } : {}),
		...(configured?.container && configured.service === service ? { container: configured.container } : {}),
		profile: { ...profileFile(project, localPort), entry: profileNameFor(service) },
	};
}
