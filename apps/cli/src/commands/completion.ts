import { BaseCommand } from '../base-command.js';
import { Command, Option, UsageError } from '../clipanion.js';
import { bashScript } from '../completion/bash.js';
import { fishScript } from '../completion/fish.js';
import { completionSpec, SHELLS, type Shell } from '../completion/spec.js';
import { zshScript } from '../completion/zsh.js';
import { ExitCode } from '../errors.js';

const SCRIPTS: Readonly<Record<Shell, typeof bashScript>> = {
  bash: bashScript,
  zsh: zshScript,
  fish: fishScript,
};

/** `playbook completion <shell>`: prints the shell's completion script. */
export class CompletionCommand extends BaseCommand {
  static override paths = [['completion']];

  static override usage = Command.Usage({
    description: 'Print the shell completion script for bash, zsh or fish',
    details: `
      The script completes commands, options, runbook files (\`*.playbook.toml\`), and from your run history
      the workflow names of \`show\`, the run ids of \`--run-id\` and \`resume\`, and the node ids of
      \`resume --node\` (it asks \`playbook\` for those as you type).

      bash: add \`source <(playbook completion bash)\` to ~/.bashrc. zsh: add \`source <(playbook completion
      zsh)\` to ~/.zshrc, after \`compinit\`. fish: \`playbook completion fish >
      ~/.config/fish/completions/playbook.fish\`.
    `,
    examples: [
      ['Try it in the current bash', 'source <($0 completion bash)'],
      [
        'Install it for fish',
        'mkdir -p ~/.config/fish/completions && $0 completion fish > ~/.config/fish/completions/playbook.fish',
      ],
    ],
  });

  shell = Option.String({ name: 'shell' });

  override async execute(): Promise<number> {
    const shell = SHELLS.find((name) => name === this.shell);
    if (shell === undefined) {
      throw new UsageError(`unknown shell "${this.shell}": choose ${SHELLS.join(', ')}`);
    }
    this.print(SCRIPTS[shell](completionSpec(this.cli)));
    return ExitCode.ok;
  }
}
