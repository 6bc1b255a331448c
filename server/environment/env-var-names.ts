// The kubelet's IsEnvVarName before relaxed names: letters, digits, '_', '-', '.', no leading
// digit, and not '.', '..' or anything starting with '..'.
const KUBELET_STRICT_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function isStrictEnvVarName(name: string): boolean {
	return KUBELET_STRICT_NAME.test(name) && name !== '.' && !name.startsWith('..');
}

/**
 * Whether a kubelet of this version drops `envFrom` keys that are not strict names. Since
 * 1.30 (relaxed env var names, KEP-4369) it passes every key through; before, it skipped
 * them with an `InvalidEnvironmentVariableNames` event. An unknown version counts as current.
 */
export function kubeletSkipsInvalidEnvFromKeys(kubeletVersion: string | undefined): boolean {
	const match = /^v?(\d+)\.(\d+)/.exec(kubeletVersion ?? '');
	if (!match) return false;
	const [major, minor] = [Number(match[1]), Number(match[2])];
	return major < 1 || (major === 1 && minor < 30);
}
