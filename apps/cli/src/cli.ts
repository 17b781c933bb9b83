import type { CommandClass } from './clipanion.js';
import { ApproveCommand, RejectCommand } from './commands/approve.js';
import { CompleteCommand } from './commands/complete.js';
import { CompletionCommand } from './commands/completion.js';
import { CreateCommand } from './commands/create.js';
import { ExportDotCommand } from './commands/export-dot.js';
import { HelpCommand } from './commands/help.js';
import { ImportCommand } from './commands/import.js';
import { InfoCommand } from './commands/info.js';
import { LogsCommand } from './commands/logs.js';
import { PlanCommand } from './commands/plan.js';
import { ReportCommand } from './commands/report.js';
import { ResumeCommand } from './commands/resume.js';
import { RunCommand } from './commands/run.js';
import { ServeCommand } from './commands/serve.js';
import { ShowCommand } from './commands/show.js';
import { ValidateCommand } from './commands/validate.js';
import { VerifyCommand } from './commands/verify.js';
import { VersionCommand } from './commands/version.js';
import type { PlaybookContext } from './context.js';
import { newCli, type PlaybookCli } from './playbook-cli.js';

export { PlaybookCli } from './playbook-cli.js';

/**
 * Every command, loaded up front: for library users, tests and the generated reference. The binary loads only
 * the command on its command line (commands/registry.ts), which must list the same commands.
 */
export const COMMANDS: ReadonlyArray<CommandClass<PlaybookContext>> = [
  HelpCommand,
  VersionCommand,
  // --- commands (keep alphabetical) ---
  ApproveCommand,
  CompleteCommand,
  CompletionCommand,
  CreateCommand,
  ExportDotCommand,
  ImportCommand,
  InfoCommand,
  LogsCommand,
  PlanCommand,
  RejectCommand,
  ReportCommand,
  ResumeCommand,
  RunCommand,
  ServeCommand,
  ShowCommand,
  ValidateCommand,
  VerifyCommand,
];

/** Builds the `playbook` CLI with every command registered. */
export function createCli(options: { version?: string } = {}): PlaybookCli {
  const cli = newCli(options);
  for (const command of COMMANDS) cli.register(command);
  return cli;
}
