import { isSea } from 'node:sea';
import { dirname, join, resolve } from 'node:path';

const exe = (name: string): string => (process.platform === 'win32' ? `${name}.exe` : name);

/** The packaged executables sit side by side; run from the compiled sources, they are the build's `bin/`. */
const folder = (): string => (isSea() ? dirname(process.execPath) : resolve(dirname(process.argv[1]!), '..', '..', 'bin'));

/** How to start this program again (the background session runs it with `host`). */
export const selfCommand = (): { command: string; prefix: string[] } =>
	(isSea() ? { command: process.execPath, prefix: [] } : { command: process.execPath, prefix: [process.argv[1]!] });

/** `kubebridge-vs` itself, as External Tools entries must name it. */
export const adapterExecutable = (): string => (isSea() ? process.execPath : join(folder(), exe('kubebridge-vs')));

/** The sidecar: KUBEBRIDGE_SIDECAR, else `kubebridge` beside this program. */
export const sidecarExecutable = (): string => process.env.KUBEBRIDGE_SIDECAR ?? join(folder(), exe('kubebridge'));
