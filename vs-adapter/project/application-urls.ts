/** One address an ASP.NET Core app listens on. */
export interface ListeningUrl {
	scheme: 'http' | 'https';
	host: string;
	port: number;
	url: string;
}

// Kestrel accepts hosts WHATWG URLs refuse (`*`, `+`), so the parts are taken apart by hand.
const URL_SHAPE = /^(https?):\/\/(\[[^\]]*\]|[^/:;]*)(?::(\d{1,5}))?(?:\/.*)?$/i;

/**
 * The URLs of an `applicationUrl` or `ASPNETCORE_URLS` value: Kestrel separates them with
 * `;`; a URL without a port listens on the scheme's default one. Pieces that are not an
 * http(s) URL (a `$(...)` placeholder, a typo) are skipped: Visual Studio would fail on
 * them at F5, and proposing no port is better than proposing a wrong one.
 */
export function parseApplicationUrls(value: string): ListeningUrl[] {
	const urls: ListeningUrl[] = [];
	for (const piece of value.split(';')) {
		const url = piece.trim();
		const match = URL_SHAPE.exec(url);
		if (!match) continue;
		const scheme = match[1]!.toLowerCase() as 'http' | 'https';
		const port = match[3] === undefined ? (scheme === 'https' ? 443 : 80) : Number(match[3]);
		if (port < 1 || port > 65535) continue;
		urls.push({ scheme, host: match[2]!, port, url });
	}
	return urls;
}
