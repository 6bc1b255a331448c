import { win32 } from 'node:path';

/** Where the OS keeps its hosts file: Windows under %SystemRoot%, everything else /etc/hosts. */
export function defaultHostsPath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
	if (platform !== 'win32') return '/etc/hosts';
	return win32.join(env.SystemRoot ?? env.windir ?? 'C:\\Windows', 'System32', 'drivers', 'etc', 'hosts');
}
