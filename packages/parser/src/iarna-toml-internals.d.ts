// The parts of @iarna/toml that toml-text.ts builds its parser from (the package types only its entry).

declare module '@iarna/toml/lib/parser.js' {
  class Parser {
    state: { buf: string };
    return(value?: unknown): void;
  }
  export default Parser;
}

declare module '@iarna/toml/lib/toml-parser.js' {
  import type Parser from '@iarna/toml/lib/parser.js';
  export function makeParserClass(base: typeof Parser): new () => {
    parse(text: string): void;
    finish(): Record<string, unknown>;
  };
}

declare module '@iarna/toml/parse-pretty-error.js' {
  export default function prettyError(error: unknown, text: string): unknown;
}
