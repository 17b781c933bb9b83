import Parser from '@iarna/toml/lib/parser.js';
import { makeParserClass } from '@iarna/toml/lib/toml-parser.js';
import prettyError from '@iarna/toml/parse-pretty-error.js';

/**
 * @iarna/toml's parser, whose strings come out as single flat strings. The library builds a string one
 * character at a time (`buf += char`), which V8 keeps as a chain of concatenations — about 30 bytes per
 * character — until something reads the string whole. A runbook's command lines, descriptions and templates
 * stayed such chains through the parse: they outlived young-generation collections, were copied into the old
 * generation, and were flattened (copied again) only by validation. On a 10,000-node runbook with a template
 * in every command, that was most of the difference in `validate` time with the same runbook without
 * templates. Reading one character of a string when it is complete makes V8 flatten it while the chain is
 * still young garbage.
 */
class FlatStringParser extends Parser {
  override return(value?: unknown): void {
    const result = value === undefined ? this.state.buf : value;
    if (typeof result === 'string' && result.length > 12) result.charCodeAt(0);
    super.return(value);
  }
}

const TomlParser = makeParserClass(FlatStringParser);

/** `TOML.parse` of @iarna/toml (same document, same errors), with flat strings. */
export function parseTomlText(text: string): Record<string, unknown> {
  const parser = new TomlParser();
  try {
    parser.parse(text);
    return parser.finish();
  } catch (error) {
    throw prettyError(error, text);
  }
}
