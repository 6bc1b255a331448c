import type { Dispatch } from './dispatch.js';

const DRAIN_POLL_MS = 20;

/**
 * Input that ends right after its last message (a pipe, a script) still gets every answer:
 * `done` runs once queued messages are dispatched and in-flight requests have answered.
 */
export function afterDrain(dispatch: Dispatch, done: () => void): void {
	let seen = -1;
	const timer = setInterval(() => {
		if (dispatch.inFlight > 0 || seen !== dispatch.dispatched) {
			seen = dispatch.dispatched;
			return;
		}
		clearInterval(timer);
		done();
	}, DRAIN_POLL_MS);
}
