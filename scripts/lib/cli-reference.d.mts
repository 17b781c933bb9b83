/** One entry of clipanion's `cli.definitions()`. */
export interface CommandDefinition {
  path: string;
  usage: string;
  category?: string;
  description?: string;
  details?: string;
  examples?: Array<[string, string]>;
  options: Array<{ definition: string; description?: string; required: boolean }>;
}

export declare const CLI_REFERENCE_PATH: string;

/** The whole Markdown page of docs/cli-reference.md for `definitions`. */
export declare function renderCliReference(definitions: readonly CommandDefinition[]): string;
