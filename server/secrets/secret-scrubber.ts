import { MASK } from './masking.js';

// Shorter values would blank out ordinary words and numbers all over a log, so they are
// left alone; a secret that short protects nothing anyway.
export const MIN_SCRUBBED_LENGTH = 4;

/**
 * Removes known secret values from text bound for logs, traces, progress and error
 * messages. Each value is also recognised as it appears inside JSON (escaped) and in
 * base64, the two forms a secret takes in a logged API object.
 */
export class SecretScrubber {
	private readonly forms = new Set<string>();
	private pattern: RegExp | null = null;

	/** Remembers secret values; later `scrub` calls hide them. */
	add(values: Iterable<string>): void {
		for (const value of values) {
			if (value.length < MIN_SCRUBBED_LENGTH) continue;
			this.forms.add(value);
			this.forms.add(JSON.stringify(value).slice(1, -1));
			this.forms.add(Buffer.from(value, 'utf8').toString('base64'));
		}
		// Longest first, so a secret that contains another is hidden whole.
		const sorted = [...this.forms].sort((a, b) => b.length - a.length);
		this.pattern = sorted.length ? new RegExp(sorted.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : null;
	}

	scrub(text: string): string {
		return this.pattern ? text.replace(this.pattern, MASK) : text;
	}
}
