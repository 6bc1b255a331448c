import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Whether the request carries the session's token; only its hash is known here. */
export function hasToken(req: IncomingMessage, tokenHash: string): boolean {
	const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
	if (!match) return false;
	const presented = createHash('sha256').update(match[1]!).digest();
	return timingSafeEqual(presented, Buffer.from(tokenHash, 'hex'));
}
