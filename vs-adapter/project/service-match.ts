/** A cluster service a project may be, with how sure the match is. */
export interface ServiceCandidate {
	service: string;
	/** 0..100: 100 is the same words, lower is a looser fit. */
	score: number;
	/** Why it matched, in words a person reads in a prompt. */
	why: string;
}

export interface ServiceProposal {
	/** The one service to propose, or `null` when none fits or two fit equally well. */
	best: string | null;
	/** Every service that fits at all, best first. */
	candidates: ServiceCandidate[];
}

/** Words that name the role of a program, not which program it is. */
const GENERIC = new Set(['service', 'svc', 'app', 'server', 'host', 'microservice', 'web', 'webapp', 'webapi', 'srv', 'src', 'main']);

/** `Shop.Api`, `shop-api`, `ShopAPI` and `shop_api` all become `['shop', 'api']`. */
export function nameWords(name: string): string[] {
	return name
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
		.toLowerCase()
		.split(/[^a-z0-9]+/)
		.filter((word) => word !== '');
}

const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((word, i) => word === b[i]);
const endsWith = (words: string[], tail: string[]): boolean => tail.length > 0 && tail.length < words.length && same(words.slice(-tail.length), tail);
const startsWith = (words: string[], head: string[]): boolean => head.length > 0 && head.length < words.length && same(words.slice(0, head.length), head);
const contains = (words: string[], part: string[]): boolean =>
	part.length > 0 && words.some((_, i) => i + part.length <= words.length && same(words.slice(i, i + part.length), part));
const singular = (words: string[]): string[] => words.map((word) => (word.length > 3 && word.endsWith('s') ? word.slice(0, -1) : word));
const specific = (words: string[]): string[] => words.filter((word) => !GENERIC.has(word));

/** How well a project's name fits a service's name, or `null` when it does not. */
function score(project: string[], service: string[]): Omit<ServiceCandidate, 'service'> | null {
	if (same(project, service)) return { score: 100, why: 'same name' };
	const p = specific(project);
	const s = specific(service);
	if (p.length > 0 && same(p, s)) return { score: 90, why: 'same name apart from words like "service" or "app"' };
	if (p.length > 0 && same(singular(p), singular(s))) return { score: 85, why: 'same name apart from plurals' };
	// A namespace before the name: `Shop.Api` is the `api` of the shop.
	if (endsWith(project, service)) return { score: 80, why: 'the project name ends with the service name' };
	if (endsWith(singular(p), singular(s))) return { score: 75, why: 'the project name ends with the service name, apart from words like "service" and plurals' };
	if (startsWith(project, service)) return { score: 70, why: 'the project name starts with the service name' };
	if (contains(project, service) || contains(singular(p), singular(s))) return { score: 60, why: 'the project name contains the service name' };
	if (contains(singular(service), singular(p))) return { score: 50, why: 'the service name contains the project name' };
	return null;
}

/**
 * Which cluster service a project most likely is. A best proposal is made only when one
 * candidate scores higher than all others; a tie is left to the user, because redirecting
 * the wrong service's traffic is worse than asking.
 */
export function proposeService(projectName: string, services: readonly string[]): ServiceProposal {
	const projectWords = nameWords(projectName);
	const candidates: ServiceCandidate[] = [];
	for (const service of new Set(services)) {
		const found = score(projectWords, nameWords(service));
		if (found) candidates.push({ service, ...found });
	}
	candidates.sort((a, b) => b.score - a.score || a.service.localeCompare(b.service));
	const [first, second] = candidates;
	return { best: first && (!second || second.score < first.score) ? first.service : null, candidates };
}
