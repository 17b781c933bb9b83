// Where a point of a shell command line stands: outside quotes, inside '…' or inside "…". The prototype pasted
// a Jinja value into the command text wherever it stood; here a template outside quotes is inserted as one
// shell-quoted word, and one inside quotes must go through `env` and be read as `$NAME` in the way those quotes
// allow. A scanner of quote state only — the command's words are never needed.

export type ShellQuoting = 'none' | 'single' | 'double';

/** A scanner fed the command's text piece by piece; `state` is the quoting at the current end. */
export class ShellQuoteScanner {
  #state: ShellQuoting = 'none';
  #escaped = false;
  #ansi = false;
  #previous = '';

  get state(): ShellQuoting {
    return this.#state;
  }

  /** Advances over literal command text. */
  feed(text: string): void {
    for (const ch of text) {
      if (this.#escaped) {
        this.#escaped = false;
      } else if (this.#state === 'single') {
        if (ch === '\\' && this.#ansi) this.#escaped = true;
        else if (ch === "'") {
          this.#state = 'none';
          this.#ansi = false;
        }
      } else if (this.#state === 'double') {
        if (ch === '\\') this.#escaped = true;
        else if (ch === '"') this.#state = 'none';
      } else if (ch === '\\') this.#escaped = true;
      else if (ch === "'") {
        this.#state = 'single';
        // $'…' (ANSI-C quoting) honours backslash escapes inside.
        this.#ansi = this.#previous === '$';
      } else if (ch === '"') this.#state = 'double';
      this.#previous = ch;
    }
  }

  /** A value pasted here by the prototype (a template), which is no quote character. */
  skipValue(): void {
    this.#escaped = false;
    this.#previous = 'x';
  }
}
