import { PassThrough } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '../../out/server/rpc/server-connection.js';
import { Logger } from '../../out/server/log/logger.js';
import { WireClient } from './wire.mjs';

/** A server on in-memory pipes and an independent client speaking to it. */
export function startInProcess(options = {}) {
	const input = new PassThrough();
	const output = new PassThrough();
	const logFile = join(mkdtempSync(join(tmpdir(), 'kubebridge-test-')), 'server.log');
	const running = serve({ input, output, framing: 'headers', logger: new Logger(logFile), ...options });
	const client = new WireClient(input, output);
	return { client, input, output, logFile, running, exited: running.exited };
}
