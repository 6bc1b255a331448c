import { ErrorCodes } from '../../protocol/index.js';
import { KubebridgeError } from '../errors.js';

const NO_HOSTS_HINT = 'Connect without editing the hosts file (no-hosts mode): services are then reached on 127.0.0.1 ports '
	+ 'through the Kubernetes service environment variables and the address table kubebridge returns, but not by their names.';

export const invalidHostsEntry = (what: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.HostsFileFailed, { reason: 'invalidHostsEntry' }, `Refusing to write ${what} to the hosts file.`);

export function hostsFileFailed(file: string, action: string, error: unknown): KubebridgeError {
	const detail = error instanceof Error ? error.message : String(error);
	return new KubebridgeError(ErrorCodes.HostsFileFailed, { reason: 'hostsFileFailed', file, hint: NO_HOSTS_HINT },
		`Cannot ${action} ${file}: ${detail}`);
}

export const hostsFileLocked = (file: string, lockFile: string, pid: number): KubebridgeError =>
	new KubebridgeError(ErrorCodes.HostsFileFailed, { reason: 'hostsFileLocked', file,
		hint: `Wait for the other kubebridge (pid ${pid}) to finish, or delete ${lockFile} if no kubebridge runs.` },
	`Another kubebridge (pid ${pid}) is editing ${file}.`);

export const elevationRefused = (file: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.ElevationRefused, { reason: 'elevationRefused', file, hint: NO_HOSTS_HINT },
		`Administrator rights to change ${file} were not granted; kubebridge will not ask again in this session.`);

export const elevationUnavailable = (file: string, why: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.ElevationRefused, { reason: 'elevationUnavailable', file, hint: NO_HOSTS_HINT },
		`kubebridge cannot ask for administrator rights to change ${file}: ${why}`);
