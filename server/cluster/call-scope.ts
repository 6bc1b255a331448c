import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs `operation` so that every API call it makes, however deep, is aborted when `signal`
 * is: a cancelled request then drops its HTTP requests instead of leaving them to run to
 * their deadline. Only for operations that change nothing in the cluster: one that must
 * undo its work on the way out needs its calls to run.
 */
export function abortingCallsOn<T>(signal: AbortSignal, operation: () => Promise<T>): Promise<T> {
	return scope.run(signal, operation);
}

/** The signal of the operation the current call is made for, if it runs in a scope. */
export const callerSignal = (): AbortSignal | undefined => scope.getStore();
