// @playbook/server: the read-only, live web view of a run history (SPEC §10.4). It is given the history's read
// port, never the repository, so it cannot change history.
export { createAccessToken, isAccessToken } from './access-token.js';
export { type AppOptions, createApp } from './create-app.js';
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './security-headers.js';
export { ServeError, type ServeErrorCode } from './serve-error.js';
export {
  DEFAULT_HOST,
  DEFAULT_PORT,
  isLoopbackHost,
  type RunningServer,
  type ServeOptions,
  startServer,
} from './start-server.js';
