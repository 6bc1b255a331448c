import type { V1ObjectFieldSelector, V1Pod } from '@kubernetes/client-node';
import { envFieldUnsupported } from './environment-errors.js';

/** What the kubelet knows about a pod beyond its spec: the node's IPs. */
export interface PodAddresses {
	/** The pod's IPs, primary first (`status.podIPs`). */
	podIPs: string[];
	/** The node's IPs, primary first (`status.hostIPs`). */
	hostIPs: string[];
}

/** The pod's and node's IPs as the pod's status reports them. */
export function podAddresses(pod: V1Pod): PodAddresses {
	const podIPs = (pod.status?.podIPs ?? []).map((entry) => entry.ip).filter(Boolean);
	const hostIPs = (pod.status?.hostIPs ?? []).map((entry) => entry.ip).filter(Boolean);
	return {
		podIPs: podIPs.length > 0 ? podIPs : pod.status?.podIP ? [pod.status.podIP] : [],
		hostIPs: hostIPs.length > 0 ? hostIPs : pod.status?.hostIP ? [pod.status.hostIP] : [],
	};
}

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/** Go's `strconv.Quote`, which the kubelet uses for whole-map label and annotation fields. */
function goQuote(text: string): string {
	let out = '"';
	for (const char of text) {
		const code = char.codePointAt(0)!;
		if (char === '"' || char === '\\') out += `\\${char}`;
		else if (PRINTABLE.test(char)) out += char;
		else if (SHORT_ESCAPES[char]) out += SHORT_ESCAPES[char];
		else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
		else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
		else out += `\\U${code.toString(16).padStart(8, '0')}`;
	}
	return `${out}"`;
}

/** `key="value"` lines in byte order of the keys, as the kubelet's `FormatMap`. */
function formatMap(map: Record<string, string> | undefined): string {
	const keys = Object.keys(map ?? {}).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
	return keys.map((key) => `${key}=${goQuote(map![key])}`).join('\n');
}

/** `metadata.labels['app']` → ['metadata.labels', 'app']; other paths → null. */
function splitSubscript(path: string): [string, string] | null {
	if (!path.endsWith("']")) return null;
	const open = path.indexOf("['");
	if (open <= 0) return null;
	return [path.slice(0, open), path.slice(open + 2, -2)];
}

/**
 * The value of a `fieldRef`, with the fields and formats the kubelet supports
 * (`podFieldSelectorRuntimeValue` and `ExtractFieldPathAsString`).
 */
export function fieldRefValue(selector: V1ObjectFieldSelector, pod: V1Pod, addresses: PodAddresses): string {
	const path = selector.fieldPath;
	// The API server defaults apiVersion to v1; a missing one came from a hand-made object.
	if ((selector.apiVersion ?? 'v1') !== 'v1') throw envFieldUnsupported(path, `apiVersion ${selector.apiVersion} is not v1`);
	const subscripted = splitSubscript(path);
	if (subscripted) {
		const [map, key] = subscripted;
		if (map === 'metadata.labels') return pod.metadata?.labels?.[key] ?? '';
		if (map === 'metadata.annotations') return pod.metadata?.annotations?.[key] ?? '';
		throw envFieldUnsupported(path, 'only labels and annotations take a subscript');
	}
	switch (path) {
		case 'spec.nodeName':
		case 'spec.host':
			return pod.spec?.nodeName ?? '';
		case 'spec.serviceAccountName':
			return pod.spec?.serviceAccountName ?? '';
		case 'status.hostIP':
			return addresses.hostIPs[0] ?? '';
		case 'status.hostIPs':
			return addresses.hostIPs.join(',');
		case 'status.podIP':
			return addresses.podIPs[0] ?? '';
		case 'status.podIPs':
			return addresses.podIPs.join(',');
		case 'metadata.name':
			return pod.metadata?.name ?? '';
		case 'metadata.namespace':
			return pod.metadata?.namespace ?? '';
		case 'metadata.uid':
			return pod.metadata?.uid ?? '';
		case 'metadata.labels':
			return formatMap(pod.metadata?.labels);
		case 'metadata.annotations':
			return formatMap(pod.metadata?.annotations);
		default:
			throw envFieldUnsupported(path, 'the kubelet does not resolve this field for env vars');
	}
}
