import type { FunctionLoader, PlaybookFunction } from '../ports/function-loader.js';
import { FunctionLoadError } from '../ports/function-loader.js';

/** A `FunctionLoader` over a fixed map of `function_name` → function; any other name fails to load. */
export class FakeFunctionLoader implements FunctionLoader {
  /** Every load, in order, with the directory it resolved from. */
  readonly loads: { functionName: string; baseDirectory: string }[] = [];
  readonly #functions: Map<string, PlaybookFunction>;

  constructor(functions: Readonly<Record<string, PlaybookFunction>> = {}) {
    this.#functions = new Map(Object.entries(functions));
  }

  async load(functionName: string, baseDirectory: string): Promise<PlaybookFunction> {
    this.loads.push({ functionName, baseDirectory });
    const fn = this.#functions.get(functionName);
    if (fn === undefined) {
      throw new FunctionLoadError(`function "${functionName}" not found`, functionName);
    }
    return fn;
  }
}
