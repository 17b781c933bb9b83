export { normalizeArgv } from './argv.js';
export { BaseCommand } from './base-command.js';
export { createCli, PlaybookCli } from './cli.js';
export { paint, supportsColor } from './colors.js';
export type { ConfigErrorCode, PlaybookConfig, ResolveConfigInput } from './config.js';
export {
  ConfigError,
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_TIMEOUT_SECONDS,
  expandHome,
  resolveConfig,
} from './config.js';
export type { PlaybookContext, ProcessLike } from './context.js';
export { createProcessContext } from './context.js';
export type { CliErrorCode } from './errors.js';
export { CliError, ExitCode, exitCodeFor, formatError } from './errors.js';
export { main } from './main.js';
