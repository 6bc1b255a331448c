// tar-stream ships no types; only the packing kubebridge uses is declared.
declare module 'tar-stream' {
	import type { Readable } from 'node:stream';
	export interface Pack extends Readable {
		entry(header: { name: string; mode?: number; mtime?: Date }, content: Buffer | string, callback?: (error?: Error | null) => void): void;
		finalize(): void;
	}
	export function pack(): Pack;
}
