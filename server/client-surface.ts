/**
 * What a client shipped beside the sidecar (vs-adapter/) may use of server/, besides the
 * protocol: the error type and its reading, the log and temp folders, the workspace file's
 * name, the diagnostics text, process liveness and polling. Everything else in server/ may
 * change without telling it; the layout test keeps vs-adapter/ to this file.
 */
export { KubebridgeError, asKubebridgeError } from './errors.js';
export { KUBEBRIDGE_VERSION } from './version.js';
export { CONFIG_FILE_NAME } from './config/config-file.js';
export { formatDiagnostics } from './cli/format-diagnostics.js';
export { describeDisconnected } from './cli/session-output.js';
export { Logger, logDirectory } from './log/logger.js';
export { makePrivateFolder } from './platform/private-folder.js';
export { underTemp } from './platform/platform-paths.js';
export { isProcessAlive } from './platform/process-liveness.js';
export { pollUntil, type PollBound } from './platform/poll.js';
