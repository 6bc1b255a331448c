import type { KubeObject } from '../cluster/object-store.js';
import { isAgentScriptConfigMap } from '../../agent/src/contract/contract.js';

/** A volume mount of the target container, as the mirror needs it. */
export interface MountSpec {
	name: string;
	mountPath: string;
	/** The volume's source type, as its key in the pod spec (`configMap`, `secret`, `projected`, …). */
	kind: string;
	/** Whether its files are Secret data or tokens: copied with owner-only read and write. */
	secret: boolean;
}

interface Volume {
	name: string;
	configMap?: { name?: string };
	projected?: { sources?: Record<string, unknown>[] };
	[source: string]: unknown;
}

const SECRET_SOURCES = ['secret', 'serviceAccountToken', 'clusterTrustBundle', 'podCertificate'];

function describeVolume(volume: Volume | undefined): { kind: string; secret: boolean } {
	// A mount whose volume cannot be found is treated as secret: nothing errs towards exposure.
	if (!volume) return { kind: 'unknown', secret: true };
	const kind = Object.keys(volume).find((key) => key !== 'name') ?? 'unknown';
	if (kind === 'secret') return { kind, secret: true };
	if (kind === 'projected') {
		const sources = volume.projected?.sources ?? [];
		return { kind, secret: sources.some((source) => SECRET_SOURCES.some((key) => key in source)) };
	}
	return { kind, secret: false };
}

/**
 * The volume mounts of `container` in a live pod, sorted by path: the pod and not its
 * template, because admission adds mounts of its own (the service account token's
 * projected volume). The agent's own script is not the container's: it is left out.
 */
export function mountsOf(pod: KubeObject, container: string): MountSpec[] {
	const spec = pod.spec as { volumes?: Volume[]; containers?: { name: string; volumeMounts?: { name: string; mountPath: string }[] }[] };
	const mounts = spec.containers?.find((c) => c.name === container)?.volumeMounts ?? [];
	const volumeOf = (name: string) => spec.volumes?.find((v) => v.name === name);
	return mounts
		.filter((mount) => !isAgentScriptConfigMap(volumeOf(mount.name)?.configMap?.name ?? ''))
		.map((mount) => ({ name: mount.name, mountPath: mount.mountPath, ...describeVolume(volumeOf(mount.name)) }))
		.sort((a, b) => a.mountPath.localeCompare(b.mountPath));
}
