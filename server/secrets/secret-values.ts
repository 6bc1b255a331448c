import type { V1Secret } from '@kubernetes/client-node';

/** Every value of these Secrets, decoded as the environment decodes them: what the scrubber must hide. */
export function secretValues(secrets: readonly V1Secret[]): string[] {
	return secrets.flatMap((secret) => Object.values(secret.data ?? {}).map((b64) => Buffer.from(b64, 'base64').toString('utf8')));
}
