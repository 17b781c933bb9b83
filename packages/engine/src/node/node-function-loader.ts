import { statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { extname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FunctionLoadError, type FunctionLoader, type PlaybookFunction } from '../ports/function-loader.js';
import { BUILTIN_FUNCTIONS } from './builtin-functions.js';
import { resolvePackageSpecifier } from './package-resolve.js';

/** A parsed `function_name`. */
export type FunctionReference =
  | { readonly kind: 'builtin'; readonly name: string }
  /** `exportName` undefined: the module's default export. */
  | { readonly kind: 'module'; readonly specifier: string; readonly exportName: string | undefined };

const TYPESCRIPT_EXTENSIONS: ReadonlySet<string> = new Set(['.ts', '.mts', '.cts']);

/**
 * Parses `"<module>#<export>"` (the default export without `#`) or a built-in name (`playbook:sleep`,
 * `playbook.functions.sleep`). Throws `FunctionLoadError` for an empty module or export, or an unknown built-in.
 */
export function parseFunctionName(functionName: string): FunctionReference {
  const name = functionName.trim();
  if (BUILTIN_FUNCTIONS.has(name)) return { kind: 'builtin', name };
  if (name.startsWith('playbook:') || name.startsWith('playbook.functions.')) {
    throw new FunctionLoadError(
      `${functionName}: unknown built-in function (built-ins: playbook:notify, playbook:sleep, playbook:fail)`,
      functionName,
    );
  }
  // The last '#' separates the export, so that a module path may itself contain one.
  const hash = name.lastIndexOf('#');
  const specifier = hash > 0 ? name.slice(0, hash) : name;
  const exportName = hash > 0 ? name.slice(hash + 1) : undefined;
  if (specifier === '' || exportName === '') {
    throw new FunctionLoadError(
      `${functionName}: expected "<module>#<export>" or "<module>" for its default export`,
      functionName,
    );
  }
  return { kind: 'module', specifier, exportName };
}

/** Whether this Node can import TypeScript files itself (type stripping, on by default from Node 23.6). */
export function canLoadTypeScript(): boolean {
  const features = process.features as { typescript?: unknown };
  if ('typescript' in features) return Boolean(features.typescript);
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 6);
}

/**
 * Loads Playbook functions with Node's own `import()`: a path relative to the runbook's directory
 * (`./lib/ops.mjs#notify`), a package resolved from that directory (`@acme/ops#restart`, honouring its
 * `exports` map with the import conditions), or a built-in (`playbook:notify`, `playbook:sleep`,
 * `playbook:fail` and the prototype's `playbook.functions.*`). `.js`, `.mjs` and `.cjs` always load;
 * `.ts`/`.mts`/`.cts` only where Node strips types itself. Modules are cached by Node once imported.
 */
export class NodeFunctionLoader implements FunctionLoader {
  /** Loads the function; throws `FunctionLoadError` with a one-line message naming `functionName`. */
  async load(functionName: string, baseDirectory: string): Promise<PlaybookFunction> {
    const reference = parseFunctionName(functionName);
    if (reference.kind === 'builtin') return BUILTIN_FUNCTIONS.get(reference.name)!;
    const module = await this.#import(functionName, reference.specifier, baseDirectory);
    return pickExport(functionName, reference.specifier, module, reference.exportName);
  }

  /**
   * For `validate`: whether `functionName` would load, without calling it. Importing a module runs its
   * top-level code, as a run would. Resolves to the load error, or undefined when the function is fine.
   */
  async check(functionName: string, baseDirectory: string): Promise<FunctionLoadError | undefined> {
    try {
      await this.load(functionName, baseDirectory);
      return undefined;
    } catch (error) {
      if (error instanceof FunctionLoadError) return error;
      return new FunctionLoadError(`${functionName}: ${firstLine(error)}`, functionName, { cause: error });
    }
  }

  /** The file (or built-in module id) `functionName` resolves to from `baseDirectory`; throws `FunctionLoadError`. */
  async resolve(functionName: string, baseDirectory: string): Promise<string> {
    const reference = parseFunctionName(functionName);
    if (reference.kind === 'builtin') return reference.name;
    return this.#resolveFile(functionName, reference.specifier, baseDirectory);
  }

  async #resolveFile(functionName: string, specifier: string, baseDirectory: string): Promise<string> {
    if (isBuiltin(specifier)) return specifier;
    let file: string;
    if (specifier.startsWith('file:')) {
      file = fileURLToPath(specifier);
    } else if (isAbsolute(specifier) || /^\.\.?(\/|$)/.test(specifier)) {
      file = resolve(baseDirectory, specifier);
    } else {
      try {
        file = resolvePackageSpecifier(specifier, baseDirectory);
      } catch (error) {
        throw new FunctionLoadError(`${functionName}: ${firstLine(error)}`, functionName, { cause: error });
      }
    }
    const found = fileInfo(file);
    if (found === undefined || !found.isFile()) {
      throw new FunctionLoadError(
        `${functionName}: cannot find module '${specifier}' (looked for ${file})`,
        functionName,
      );
    }
    if (TYPESCRIPT_EXTENSIONS.has(extname(file)) && !canLoadTypeScript()) {
      throw new FunctionLoadError(
        `${functionName}: Node ${process.version} cannot load TypeScript modules; use Node 23.6 or newer, or compile '${specifier}' to JavaScript`,
        functionName,
      );
    }
    return file;
  }

  async #import(
    functionName: string,
    specifier: string,
    baseDirectory: string,
  ): Promise<Record<string, unknown>> {
    const file = await this.#resolveFile(functionName, specifier, baseDirectory);
    const url = isBuiltin(file) ? file : pathToFileURL(file).href;
    try {
      return (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
    } catch (error) {
      throw new FunctionLoadError(
        `${functionName}: cannot load module '${specifier}': ${firstLine(error)}`,
        functionName,
        { cause: error },
      );
    }
  }
}

function pickExport(
  functionName: string,
  specifier: string,
  module: Record<string, unknown>,
  exportName: string | undefined,
): PlaybookFunction {
  const name = exportName ?? 'default';
  let value = module[name];
  // CommonJS: `module.exports` is the default export. Names Node's static analysis missed are still its
  // properties, and a method taken from it keeps `module.exports` as its `this`, as in `require(x).name()`.
  const container = module.default;
  if (
    name !== 'default' &&
    (typeof container === 'object' || typeof container === 'function') &&
    container !== null
  ) {
    const inner = (container as Record<string, unknown>)[name];
    if (value === undefined || value === inner) {
      value = typeof inner === 'function' ? inner.bind(container) : inner;
    }
  }
  const what = exportName === undefined ? 'the default export' : `export '${exportName}'`;
  if (value === undefined) {
    throw new FunctionLoadError(
      exportName === undefined
        ? `${functionName}: module '${specifier}' has no default export`
        : `${functionName}: module '${specifier}' has no export '${exportName}'`,
      functionName,
    );
  }
  if (typeof value !== 'function') {
    throw new FunctionLoadError(
      `${functionName}: ${what} of '${specifier}' is ${describe(value)}, not a function`,
      functionName,
    );
  }
  return value as PlaybookFunction;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** What `stat` says of `path`, or undefined when it cannot say. Synchronous: one stat, where importing
 * node:fs/promises would cost every run's start-up milliseconds (docs/performance.md). */
function fileInfo(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}
