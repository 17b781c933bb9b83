import type { Runbook } from '@playbook/domain';
import type { Engine, RunOutcome } from '@playbook/engine';
import { Command } from '../clipanion.js';
import { RunBaseCommand, type SessionOptions } from './run-base-command.js';

/** `playbook run <file>`: a new run of a runbook, walked step by step. */
export class RunCommand extends RunBaseCommand {
  static override paths = [['run']];

  static override usage = Command.Usage({
    description: 'Run a runbook, step by step',
    details: `
      Starts a new run (ids are 1, 2, 3… per runbook title) and walks the steps in dependency order: shell
      commands stream their output live, functions are called, manual steps ask the operator. Every attempt is
      recorded in the run history, so a run that fails or is interrupted can be continued with \`playbook resume\`.

      After a failed step the operator chooses retry, skip (skippable steps only), mark ok (it was done by hand:
      a note is required; recorded as a new attempt ok with decision override) or abort. With
      \`--non-interactive\` (or \`CI\` set) nothing waits for input: a failed step is retried \`--retries\` times,
      manual steps and unanswered \`\${ask}\` values end nok, and independent branches go on.

      When stdin is not a terminal, answers are read one line per question: \`ok\`/\`nok\`/\`skip\` and a note line
      for manual steps, \`r\`/\`s\`/\`a\`/\`o\` after a failure (\`o\`, mark ok, then a note line), the value itself
      for \`\${ask}\`, \`y\`/\`n\` for a repeat.

      Exit code: 0 when the run ended ok, 1 when it ended nok or aborted (or the file is invalid), 2 for a bad
      command line, 129 when the terminal was closed (SIGHUP: the running step is let finish, nothing new
      starts), 130 when interrupted (Ctrl-C, SIGTERM, SIGQUIT).
    `,
    examples: [
      ['Run a runbook', '$0 run deploy.playbook.toml'],
      [
        'Run with nobody at the keyboard, retrying failed steps twice',
        '$0 run deploy.playbook.toml --non-interactive --retries 2',
      ],
      [
        'Give an asked parameter its value up front instead of being asked',
        '$0 run incident.playbook.toml --set status_page.message="Investigating checkout errors"',
      ],
      [
        'Answer the prompts from a file, one line per question',
        '$0 run incident.playbook.toml < incident.answers.txt',
      ],
    ],
  });

  override async execute(): Promise<number> {
    return this.session();
  }

  protected override start(engine: Engine, runbook: Runbook, options: SessionOptions): Promise<RunOutcome> {
    return engine.run(runbook, options);
  }
}
