import { applyEdits, findNodeAtLocation, getNodeValue, modify, type FormattingOptions, type JSONPath } from 'jsonc-parser';
import { launchConfigurationNotFound, launchProfileExists, positionAt } from '../errors.js';
import { parseJsonc, properties, stringProperty, type JsoncDocument } from '../project/jsonc-document.js';
import { detectFormatting } from '../project/text-format.js';
import type { TextFile } from '../project/text-file.js';

/** The two files Visual Studio's F5 reads a launch profile from. */
export type ProfileFileKind = 'launchSettings' | 'launchVs';

/** What the hand-over puts in the profile: the cluster's environment and where the app listens. */
export interface ProfileContent {
	/** The container's environment, the mounted-files root variable included, in the order given. */
	env: Record<string, string>;
	/** For `launchSettings.json`: where Kestrel listens, e.g. `http://localhost:8080`; omitted when `null`. */
	applicationUrl: string | null;
	/** For `launch.vs.json`: the configuration to copy (by name); the first one when `null`. */
	baseConfiguration: string | null;
}

/** The profile name Visual Studio lists in its F5 drop-down for a service. */
export const profileNameFor = (service: string): string => `kubebridge: ${service}`;

/** The path of a named profile in the file, or `null` when it has none. */
function entryPath(doc: JsoncDocument, kind: ProfileFileKind, name: string): JSONPath | null {
	if (kind === 'launchSettings') {
		const profiles = findNodeAtLocation(doc.root, ['profiles']);
		return profiles?.type === 'object' && properties(profiles).some(([key]) => key === name) ? ['profiles', name] : null;
	}
	const list = findNodeAtLocation(doc.root, ['configurations']);
	const index = list?.type === 'array' ? (list.children ?? []).findIndex((item) => item.type === 'object' && stringProperty(item, 'name') === name) : -1;
	return index < 0 ? null : ['configurations', index];
}

function launchSettingsProfile(content: ProfileContent): object {
	return {
		commandName: 'Project',
		// A service has no page to open; a browser tab on every F5 would only get in the way.
		launchBrowser: false,
		...(content.applicationUrl === null ? {} : { applicationUrl: content.applicationUrl }),
		environmentVariables: content.env,
	};
}

/**
 * A launch.vs.json configuration cannot be made from nothing: its `type`, `project` and
 * debugger settings depend on the language. The user's own configuration is copied, renamed,
 * and its `env` overlaid with the cluster's, so what F5 starts is what it started before.
 */
function launchVsConfiguration(doc: JsoncDocument, name: string, content: ProfileContent): object {
	const list = findNodeAtLocation(doc.root, ['configurations']);
	const items = list?.type === 'array' ? (list.children ?? []).filter((item) => item.type === 'object') : [];
	const base = content.baseConfiguration === null ? items[0] : items.find((item) => stringProperty(item, 'name') === content.baseConfiguration);
	if (!base) throw launchConfigurationNotFound(doc.file.path, content.baseConfiguration);
	const copied = getNodeValue(base) as Record<string, unknown>;
	const baseEnv = copied.env !== null && typeof copied.env === 'object' ? copied.env as Record<string, string> : {};
	return { ...copied, name, env: { ...baseEnv, ...content.env } };
}

/**
 * What a project without `launchSettings.json` starts from; the profile goes in with the
 * same edit as always. A missing `launch.vs.json` is not made up: it has no configuration
 * to copy (see launchVsConfiguration).
 */
export const EMPTY_LAUNCH_SETTINGS = '{}';

function editOptions(text: string, fallbackEol: '\n' | '\r\n'): { formattingOptions: FormattingOptions } {
	return { formattingOptions: detectFormatting(text, fallbackEol) };
}

/**
 * The file's text with the named profile added, by a minimal edit: nothing outside the
 * inserted entry changes, so comments, key order, indentation and line endings stay.
 */
export function addProfile(file: TextFile, kind: ProfileFileKind, name: string, content: ProfileContent, fallbackEol: '\n' | '\r\n'): string {
	const doc = parseJsonc(file);
	const existing = entryPath(doc, kind, name);
	if (existing) {
		const node = findNodeAtLocation(doc.root, existing)!;
		throw launchProfileExists(file.path, name, positionAt(file.text, node.parent?.type === 'property' ? node.parent.offset : node.offset));
	}
	const options = editOptions(file.text, fallbackEol);
	if (kind === 'launchSettings') {
		return applyEdits(file.text, modify(file.text, ['profiles', name], launchSettingsProfile(content), options));
	}
	const value = launchVsConfiguration(doc, name, content);
	const count = findNodeAtLocation(doc.root, ['configurations'])?.children?.length ?? 0;
	return applyEdits(file.text, modify(file.text, ['configurations', count], value, { ...options, isArrayInsertion: true }));
}

/** The file's text without the named profile, or `null` when it has no such profile. */
export function removeProfile(file: TextFile, kind: ProfileFileKind, name: string): string | null {
	const path = entryPath(parseJsonc(file), kind, name);
	if (!path) return null;
	return applyEdits(file.text, modify(file.text, path, undefined, editOptions(file.text, '\n')));
}
