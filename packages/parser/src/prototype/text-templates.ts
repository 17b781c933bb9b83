import { splitJinjaText } from './jinja-text.js';
import { ShellQuoteScanner } from './shell-context.js';

// `{{ … }}` in text → `${{ … }}` templates. In a command line, a template outside the command's quotes is
// inserted shell-quoted (one word, as pasted text was for plain values); inside quotes it goes through `env`
// and the command reads `$NAME` in a way those quotes expand.

/** Jinja expression source → CEL; throws UnsupportedJinja for text outside the subset. */
export type TranslateValue = (source: string) => string;

/** Converted text, or why it cannot be (the caller keeps the original and warns). */
export type TextConversion =
  | {
      readonly ok: true;
      readonly text: string;
      /** Jinja expressions converted, as written, with their CEL. */
      readonly expressions: readonly (readonly [string, string])[];
      /** `env` entries a command line needs: name → template. */
      readonly env: ReadonlyMap<string, string>;
    }
  | { readonly ok: false; readonly reason: string };

/** Literal text where templates are read: a literal `${{` must be written `$${{`. */
export const literal = (text: string): string => text.replaceAll('${{', () => '$${{');

/** Text of a prompt, a description or a function parameter. */
export function convertText(value: string, translate: TranslateValue): TextConversion {
  return convert(value, translate, undefined);
}

/** A command line; `envName` picks the variable name for an expression that sits inside quotes. */
export function convertCommand(
  value: string,
  translate: TranslateValue,
  envName: (source: string, taken: ReadonlySet<string>) => string,
): TextConversion {
  return convert(value, translate, envName);
}

function convert(
  value: string,
  translate: TranslateValue,
  envName: ((source: string, taken: ReadonlySet<string>) => string) | undefined,
): TextConversion {
  const parts = splitJinjaText(value);
  const scanner = new ShellQuoteScanner();
  const env = new Map<string, string>();
  const namesBySource = new Map<string, string>();
  const expressions: [string, string][] = [];
  let text = '';
  let reopen = false;
  for (const [index, part] of parts.entries()) {
    if (part.kind === 'statement') {
      return {
        ok: false,
        reason: `the Jinja statement ${JSON.stringify(part.source.slice(0, 60))} has no equivalent`,
      };
    }
    if (part.kind === 'text') {
      let piece = part.text;
      // A value that ended a '…' string was written '"$NAME" without reopening it: skip the closing quote.
      if (reopen) piece = piece.startsWith("'") ? piece.slice(1) : `'${piece}`;
      reopen = false;
      text += literal(piece);
      scanner.feed(part.text);
      continue;
    }
    // `${{X}}` in the prototype was a `$` before a value; here `${{` opens a template.
    const before = parts[index - 1];
    if (before?.kind === 'text' && before.text.endsWith('$'))
      return { ok: false, reason: `\`\${{${part.source}}}\`: a $ right before {{ has no equivalent` };
    const cel = translate(part.source);
    expressions.push([part.source.trim(), cel]);
    const template = `\${{ ${cel} }}`;
    if (envName === undefined || scanner.state === 'none') {
      text += template;
    } else {
      const source = part.source.trim();
      let name = namesBySource.get(source);
      if (name === undefined) {
        name = envName(source, new Set(env.keys()));
        namesBySource.set(source, name);
        env.set(name, template);
      }
      if (scanner.state === 'double') text += `\${${name}}`;
      else {
        // Close the '…' string around "$NAME" — or, right after its opening quote, do not open it at all.
        text =
          text.endsWith("'") && opensSingle(text) ? `${text.slice(0, -1)}"$${name}"` : `${text}'"$${name}"`;
        reopen = true;
      }
    }
    scanner.skipValue();
  }
  if (reopen) text += "'";
  return { ok: true, text, expressions, env };
}

/** Whether the text's last character is the quote that opened the '…' string it ends in. */
function opensSingle(text: string): boolean {
  const scanner = new ShellQuoteScanner();
  scanner.feed(text.slice(0, -1));
  return scanner.state === 'none';
}

// Names a command's environment already means something by: a variable of the same name would change how the
// command itself runs.
const SHELL_NAMES = new Set(
  'PATH HOME USER SHELL PWD OLDPWD IFS LANG TERM HOSTNAME PS1 PS2 PS4 UID EUID PPID RANDOM SECONDS LINENO ENV CDPATH TMPDIR LOGNAME'.split(
    ' ',
  ),
);

/** An environment variable name for an expression: the variable's own name when it is a plain name. */
export function envNameFor(source: string, taken: ReadonlySet<string>): string {
  let base = source
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(source)) base = source;
  if (base === '') base = 'VALUE';
  if (/^[0-9]/.test(base)) base = `V_${base}`;
  if (SHELL_NAMES.has(base) || base.startsWith('PLAYBOOK_')) base = `${base}_VALUE`;
  let name = base;
  for (let n = 2; taken.has(name); n += 1) name = `${base}_${n}`;
  return name;
}
