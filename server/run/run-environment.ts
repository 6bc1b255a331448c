/**
 * The environment the local program starts with: this process's own, with the handed-over
 * variables set over it. The container's values win, so the program sees what it would
 * see in the pod; what the pod does not set (PATH, HOME, the terminal's variables) stays
 * this machine's, so the program still runs here.
 */
export function runEnvironment(base: NodeJS.ProcessEnv, vars: readonly { name: string; value: string }[]): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...base };
	for (const { name, value } of vars) env[name] = value;
	return env;
}
