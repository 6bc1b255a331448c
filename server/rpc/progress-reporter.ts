import type { MessageConnection } from 'vscode-jsonrpc/node';
import { WorkDoneProgress, type ProgressToken, type WorkDoneProgressValue } from '../../protocol/index.js';
import { silentProgress, type ProgressReporter } from '../work.js';

/** `$/progress` work-done notifications for one request, or nothing when it has no token. */
export function progressFor(connection: MessageConnection, token: ProgressToken | undefined, cancellable: boolean): ProgressReporter {
	if (token === undefined) return silentProgress;
	const send = (value: WorkDoneProgressValue): void => {
		connection.sendProgress(WorkDoneProgress.type, token, value).catch(() => undefined);
	};
	return {
		begin: (title, message) => send({ kind: 'begin', title, cancellable, ...(message ? { message } : {}) }),
		report: (message, percentage) => send({ kind: 'report', message, ...(percentage === undefined ? {} : { percentage }) }),
		end: (message) => send({ kind: 'end', ...(message ? { message } : {}) }),
	};
}
