import { exec } from '@vscode/sudo-prompt';
import { KubebridgeError } from '../errors.js';
import { elevationRefused, elevationUnavailable, hostsFileFailed } from './hosts-errors.js';

/** One request for administrator rights. */
export interface ElevationRequest {
	/** The exact command to run elevated (see elevated-command.ts). */
	command: string;
	/** The prompt's title: sudo-prompt allows letters, digits and spaces, at most 70. */
	name: string;
	/** The whole sentence of what will change, for the log and the client to show. */
	message: string;
}

/** Runs a command with administrator rights; the seam tests replace. Rejects with sudo-prompt's error. */
export type ElevationRunner = (request: ElevationRequest) => Promise<void>;

const sudoPromptRunner: ElevationRunner = (request) => new Promise((resolve, reject) => {
	exec(request.command, { name: request.name }, (error, _stdout, stderr) => {
		if (!error) return resolve();
		reject(Object.assign(error, { stderr: String(stderr ?? '') }));
	});
});

// sudo-prompt's own messages (index.js) for the cases where nothing was run.
const REFUSED = /did not grant permission/i;
const UNAVAILABLE = /Unable to find pkexec or kdesudo|No polkit authentication agent/i;

/** A prompt title sudo-prompt accepts, from a sentence (e.g. a namespace name with hyphens). */
export function promptName(sentence: string): string {
	const plain = sentence.replace(/[^A-Za-z0-9 ]+/g, ' ').replace(/\s+/g, ' ').trim();
	return plain.length <= 70 ? plain : plain.slice(0, 71).replace(/ \S*$/, '').slice(0, 70);
}

/**
 * The session's door to administrator rights. A refusal (or no way to ask) is remembered:
 * the user is not asked again in the session, and every later request fails at once with
 * the same typed error, which points to the no-hosts mode.
 */
export class Elevation {
	private answer: KubebridgeError | null = null;
	private asked = 0;

	constructor(private readonly runner: ElevationRunner = sudoPromptRunner) {}

	/** How many prompts this session has shown. */
	get prompts(): number {
		return this.asked;
	}

	async run(request: ElevationRequest, file: string): Promise<void> {
		if (this.answer) throw this.answer;
		this.asked++;
		try {
			await this.runner(request);
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			if (REFUSED.test(message)) throw (this.answer = elevationRefused(file));
			if (UNAVAILABLE.test(message)) throw (this.answer = elevationUnavailable(file, message));
			const stderr = (error as { stderr?: string }).stderr?.trim();
			throw hostsFileFailed(file, 'change (elevated)', new Error(stderr || message));
		}
	}
}
