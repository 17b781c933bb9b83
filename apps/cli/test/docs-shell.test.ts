// Every shell example of README.md, examples/README.md and docs/*.md (```sh, ```bash, ```shell and ```console
// blocks, the generated CLI reference included) runs here, as a reader would type it: through `playbook` on the
// PATH (a link to the built binary), against a copy of the shipped examples and a history that already holds
// runs of them (Deploy: runs 1 and 2 ok, run 3 nok at its flaky `cdn_warm` step, so it can be resumed).
//
//   - README.md and examples/README.md run from the repository root (`examples/deploy.playbook.toml`); the pages
//     of docs/ run from the examples folder (`deploy.playbook.toml`).
//   - Each block gets a fresh copy of that world; its commands run one after the other.
//   - A command must exit 0, unless its line ends with a comment saying `# exits N`.
//   - A block that cannot run here is preceded by `<!-- not run: <why> -->` (say where it is tested instead).
//   - Questions an interactive example asks are answered from ANSWERS below, keyed by the command.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, ensureBuilt, repoRoot } from './fixtures-run/e2e.js';

/** What an operator types at each question of an interactive example (one line per question). */
const ANSWERS: Record<string, string> = {
  // `cdn_warm` fails on its first attempt: retry.
  'playbook run deploy.playbook.toml': 'r\n',
  // Every question of the incident runbook but the status-page message, which --set gives.
  'playbook run incident.playbook.toml --set status_page.message="Investigating checkout errors"':
    'ok\n\ns\nyes\nchecked dashboards\nok\n\nok\n\n',
};

interface ShellCommand {
  readonly text: string;
  readonly line: number;
  readonly exits: number;
}

interface ShellExample {
  readonly file: string;
  readonly line: number;
  /** Why the block is not run here, from its `<!-- not run: … -->` marker. */
  readonly notRun: string | undefined;
  readonly commands: readonly ShellCommand[];
}

const SHELL_FENCE = /^```(sh|bash|shell|console)\s*$/;

/** The commands of one block: `\` continues a line, as does a next line starting with `|`; `$ ` prompts of a
 * console transcript are commands, its other lines output. */
function commandsOf(language: string, body: readonly string[], firstLine: number): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let current: { text: string; line: number } | undefined;
  body.forEach((raw, index) => {
    let text = raw;
    if (language === 'console') {
      if (!text.startsWith('$ ')) return;
      text = text.slice(2);
    }
    const continuing = current !== undefined && (current.text.endsWith('\\') || /^\s*\|/.test(text));
    if (continuing && current !== undefined) {
      current.text = `${current.text}\n${text}`;
      return;
    }
    if (current !== undefined) commands.push(finish(current));
    current =
      text.trim() === '' || text.trim().startsWith('#') ? undefined : { text, line: firstLine + index };
  });
  if (current !== undefined) commands.push(finish(current));
  return commands;
}

function finish(command: { text: string; line: number }): ShellCommand {
  const exits = /#\s*exits\s+(\d+)\s*$/.exec(command.text)?.[1];
  return { text: command.text, line: command.line, exits: exits === undefined ? 0 : Number(exits) };
}

function examplesOf(file: string): ShellExample[] {
  const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
  const examples: ShellExample[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const language = SHELL_FENCE.exec(lines[index] ?? '')?.[1];
    if (language === undefined) continue;
    const start = index;
    const body: string[] = [];
    for (index += 1; index < lines.length && lines[index]?.trim() !== '```'; index += 1)
      body.push(lines[index] ?? '');
    let previous = start - 1;
    while (previous >= 0 && lines[previous]?.trim() === '') previous -= 1;
    const marker = /^<!--\s*not run:\s*(.*?)\s*-->$/.exec(lines[previous]?.trim() ?? '');
    examples.push({
      file,
      line: start + 1,
      notRun: marker?.[1],
      commands: commandsOf(language, body, start + 2),
    });
  }
  return examples;
}

const files = [
  'README.md',
  'examples/README.md',
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];
const examples = files.flatMap(examplesOf);
const runnable = examples.filter((example) => example.notRun === undefined);

/** A world for one block: the examples, the seeded history, `playbook` on the PATH, its own HOME and TMPDIR. */
interface World {
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
}

function worldAt(root: string): World {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('PLAYBOOK_')) delete env[key];
  for (const key of ['CI', 'FORCE_COLOR']) delete env[key];
  Object.assign(env, {
    NO_COLOR: '1',
    HOME: join(root, 'home'),
    XDG_CONFIG_HOME: join(root, 'home', '.config'),
    // The deploy example writes its pretend release under $TMPDIR.
    TMPDIR: join(root, 'tmp'),
    PATH: [join(root, 'bin'), process.env.PATH ?? ''].join(delimiter),
  });
  return { root, env };
}

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function sh(world: World, command: string, cwd: string, input: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd, env: world.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let template: World;
const worlds: string[] = [];

beforeAll(async () => {
  ensureBuilt();
  const root = mkdtempSync(join(tmpdir(), 'playbook-docs-'));
  worlds.push(root);
  for (const dir of ['bin', 'home', 'tmp', 'examples']) mkdirSync(join(root, dir));
  symlinkSync(binPath, join(root, 'bin', 'playbook'));
  for (const entry of readdirSync(join(repoRoot, 'examples'), { withFileTypes: true })) {
    if (entry.isFile()) cpSync(join(repoRoot, 'examples', entry.name), join(root, 'examples', entry.name));
  }
  template = worldAt(root);
  const cwd = join(root, 'examples');
  const seed = [
    ['playbook run deploy.playbook.toml --non-interactive --retries 1', 0],
    ['playbook run deploy.playbook.toml --non-interactive --retries 1', 0],
    ['playbook run deploy.playbook.toml --non-interactive', 1],
  ] as const;
  for (const [command, code] of seed) {
    const outcome = await sh(template, command, cwd, '');
    expect(outcome.code, `${command}\n${outcome.stdout}${outcome.stderr}`).toBe(code);
  }
}, 120_000);

afterAll(() => {
  for (const root of worlds) rmSync(root, { recursive: true, force: true });
});

describe('shell examples of the README and docs/', () => {
  it('finds them, and every one either runs here or says why not', () => {
    expect(runnable.length).toBeGreaterThan(20);
    for (const example of examples) {
      if (example.notRun !== undefined)
        expect(example.notRun, `${example.file}:${example.line}`).not.toBe('');
      else expect(example.commands.length, `${example.file}:${example.line}`).toBeGreaterThan(0);
    }
  });

  it('answers only examples that exist', () => {
    const commands = new Set(runnable.flatMap((example) => example.commands.map((command) => command.text)));
    for (const command of Object.keys(ANSWERS)) expect(commands, command).toContain(command);
  });

  it.concurrent.each(runnable.map((example) => [`${example.file}:${example.line}`, example] as const))(
    '%s',
    async (_, example) => {
      const root = mkdtempSync(join(tmpdir(), 'playbook-docs-'));
      worlds.push(root);
      cpSync(template.root, root, { recursive: true, verbatimSymlinks: true });
      const world = worldAt(root);
      const cwd = example.file.startsWith('docs/') ? join(root, 'examples') : root;
      for (const command of example.commands) {
        const outcome = await sh(world, command.text, cwd, ANSWERS[command.text] ?? '');
        expect(
          outcome.code,
          `${example.file}:${command.line}: \`${command.text}\` exited ${outcome.code}\n--- stdout\n${outcome.stdout}--- stderr\n${outcome.stderr}`,
        ).toBe(command.exits);
      }
    },
    90_000,
  );
});
