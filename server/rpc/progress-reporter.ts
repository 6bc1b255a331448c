import type { MessageConnection } from 'vscode-jsonrpc/node';
import { WorkDoneProgress, type ProgressToken, type RequestTraits, type WorkDoneProgressValue } from '../../protocol/index.js';
import { silentProgress, type ProgressReporter } from '../work.js';

/**
 * `$/progress` work-done notifications for one request, or nothing when it has no token or
 * its declaration says it reports none.
 * `begin` says `cancellable` as the request's declaration does. Messages pass through
 * `scrub`, so a secret value in one never reaches the client.
 */
export function progressFor(connection: MessageConnection, token: ProgressToken | undefined, { reportsProgress, cancellable }: RequestTraits,
	scrub: (text: string) => string): ProgressReporter {
	if (token === undefined || !reportsProgress) return silentProgress;
	const send = (value: WorkDoneProgressValue): void => {
		const scrubbed = { ...value, ...('title' in value ? { title: scrub(value.title) } : {}), ...(value.message ? { message: scrub(value.message) } : {}) };
		try {
			connection.sendProgress(WorkDoneProgress.type, token, scrubbed).catch(() => undefined);
		} catch {
			// The connection closed under a request still running (the client went): no one to tell.
		}
	};
	return {
		begin: (title, message) => send({ kind: 'begin', title, cancellable, ...(message ? { message } : {}) }),
		report: (message, percentage) => send({ kind: 'report', message, ...(percentage === undefined ? {} : { percentage }) }),
		end: (message) => send({ kind: 'end', ...(message ? { message } : {}) }),
	};
}
