/** name → address, from the lines of a hosts file: the first line naming a name wins, as in a resolver. */
export function resolver(content) {
	const map = new Map();
	for (const line of content.split(/\r?\n/)) {
		const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
		for (const name of names) if (!map.has(name)) map.set(name, address);
	}
	return map;
}
