import { requestCancelled } from './errors.js';

/** Reports how a long operation is going; the connection turns it into `$/progress`. */
export interface ProgressReporter {
	begin(title: string, message?: string): void;
	report(message: string, percentage?: number): void;
	end(message?: string): void;
}

/** Whether the client has cancelled the request an operation serves. */
export interface Cancellation {
	readonly isCancellationRequested: boolean;
}

/** What a long operation is handed: where to report, and how to tell it was cancelled. */
export interface Work {
	progress: ProgressReporter;
	cancellation: Cancellation;
}

export const silentProgress: ProgressReporter = { begin() {}, report() {}, end() {} };

/** Stops an operation between steps once its request was cancelled. */
export function throwIfCancelled(cancellation: Cancellation): void {
	if (cancellation.isCancellationRequested) throw requestCancelled();
}
