import { parseApplicationUrls, type ListeningUrl } from './application-urls.js';
import { nodeOfType, parseJsonc, positionOf, properties, stringProperty, type JsoncDocument } from './jsonc-document.js';
import type { TextFile } from './text-file.js';

/** One profile of `Properties/launchSettings.json`, as the F5 drop-down lists it. */
export interface LaunchProfile {
	name: string;
	/** `Project` (Kestrel), `IISExpress`, `IIS`, `Executable`, `Docker`, ... */
	commandName: string | null;
	/** Where the app listens when started from this profile: `applicationUrl`, else `ASPNETCORE_URLS`. */
	urls: ListeningUrl[];
	environmentVariables: Record<string, string>;
	/** 1-based line of the profile's name, for messages that point at it. */
	line: number;
}

export interface LaunchSettings {
	file: string;
	profiles: LaunchProfile[];
	/** IIS Express's own addresses (`iisSettings.iisExpress`): `applicationUrl` and `sslPort`. */
	iisExpress: ListeningUrl[];
}

function environmentOf(doc: JsoncDocument, profilePath: string[]): Record<string, string> {
	const node = nodeOfType(doc, [...profilePath, 'environmentVariables'], 'object', `"environmentVariables" of profile '${profilePath[1]}'`);
	const env: Record<string, string> = {};
	for (const [key, value] of node ? properties(node) : []) {
		// Visual Studio writes every value as a string; a number or boolean is what the user meant.
		if (value.type === 'string' || value.type === 'number' || value.type === 'boolean') env[key] = String(value.value);
	}
	return env;
}

function iisExpressUrls(doc: JsoncDocument): ListeningUrl[] {
	const node = nodeOfType(doc, ['iisSettings', 'iisExpress'], 'object', '"iisSettings.iisExpress"');
	if (!node) return [];
	const urls = parseApplicationUrls(stringProperty(node, 'applicationUrl') ?? '');
	const sslPort = properties(node).find(([key]) => key === 'sslPort')?.[1].value;
	if (typeof sslPort === 'number' && sslPort > 0 && sslPort <= 65535) {
		urls.push({ scheme: 'https', host: 'localhost', port: sslPort, url: `https://localhost:${sslPort}/` });
	}
	return urls;
}

/** Reads a `launchSettings.json`; a syntax or shape error names the file and line. */
export function readLaunchSettings(file: TextFile): LaunchSettings {
	const doc = parseJsonc(file);
	const profilesNode = nodeOfType(doc, ['profiles'], 'object', '"profiles"');
	const profiles: LaunchProfile[] = [];
	for (const [name, value, property] of profilesNode ? properties(profilesNode) : []) {
		if (value.type !== 'object') continue;
		const env = environmentOf(doc, ['profiles', name]);
		const declared = stringProperty(value, 'applicationUrl') ?? env.ASPNETCORE_URLS ?? '';
		profiles.push({
			name,
			commandName: stringProperty(value, 'commandName'),
			urls: parseApplicationUrls(declared),
			environmentVariables: env,
			line: positionOf(doc, property).line,
		});
	}
	return { file: file.path, profiles, iisExpress: iisExpressUrls(doc) };
}

/**
 * The local port to propose: the one the cluster's traffic should reach. Kestrel profiles
 * (`commandName: Project`) come first because they run the app as the container does;
 * plain http before https, since TLS usually ends before the pod; IIS Express last.
 */
export function proposePort(settings: LaunchSettings): number | null {
	const kestrel = settings.profiles.filter((p) => p.commandName === 'Project').flatMap((p) => p.urls);
	const others = settings.profiles.filter((p) => p.commandName !== 'Project').flatMap((p) => p.urls);
	for (const urls of [kestrel, others, settings.iisExpress]) {
		const chosen = urls.find((u) => u.scheme === 'http') ?? urls[0];
		if (chosen) return chosen.port;
	}
	return null;
}
