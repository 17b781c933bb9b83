import { escapeHtml } from '@playbook/report';

/** Markup we wrote ourselves (or escaped): the only kind of value `html` inserts as it is. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A value `html` can insert: text is escaped, `Html` kept, lists joined, nothing for null, undefined and false. */
export type HtmlValue = Html | string | number | null | undefined | false | readonly HtmlValue[];

function insert(value: HtmlValue): string {
  if (value instanceof Html) return value.text;
  if (value === null || value === undefined || value === false) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return escapeHtml(value);
  let out = '';
  for (const item of value) out += insert(item);
  return out;
}

/**
 * A template of markup whose every interpolated value is escaped unless it is `Html`: a page is built from these
 * only, so forgetting to escape a runbook's or the history's text takes an explicit `trusted()`.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? '';
  for (let index = 0; index < values.length; index += 1) {
    out += insert(values[index]!) + (strings[index + 1] ?? '');
  }
  return new Html(out);
}

/** Markup that needs no escaping because we made it (Graphviz's SVG after `inlineSvg`). */
export function trusted(text: string): Html {
  return new Html(text);
}
