// The prototype's built-in `python` plugin → this tool's `playbook:` built-ins. Any other plugin was a Python
// package of its own (Slack, AWS…) that has no counterpart here.

/** What a `plugin` + `function` pair becomes. */
export type PluginMapping =
  | { readonly kind: 'builtin'; readonly functionName: string; readonly params: Record<string, unknown> }
  | { readonly kind: 'manual' };

/** The prototype's `throw` raised this message. */
const THROW_MESSAGE = 'Intentional exception for testing purposes';

/** The mapping table, for notes and docs: prototype call → built-in. */
export const PLUGIN_MAPPING: readonly (readonly [string, string])[] = [
  ['plugin = "python", function = "notify"', 'function_name = "playbook:notify"'],
  ['plugin = "python", function = "sleep"', 'function_name = "playbook:sleep"'],
  ['plugin = "python", function = "throw"', 'function_name = "playbook:fail"'],
];

export function mapPlugin(plugin: string, name: string, params: Record<string, unknown>): PluginMapping {
  if (plugin !== 'python') return { kind: 'manual' };
  if (name === 'notify' || name === 'sleep')
    return { kind: 'builtin', functionName: `playbook:${name}`, params };
  if (name === 'throw')
    return { kind: 'builtin', functionName: 'playbook:fail', params: { message: THROW_MESSAGE, ...params } };
  return { kind: 'manual' };
}

/**
 * A v0.1 `function_name`: the prototype's own `playbook.functions.*` (notify and sleep are built-ins here too,
 * throw becomes `playbook:fail`), a module reference of this tool (kept), or any other Python dotted path (no
 * equivalent here).
 */
export function mapFunctionName(
  name: string,
  params: Record<string, unknown>,
): PluginMapping | { readonly kind: 'keep' } {
  if (name === 'playbook.functions.throw')
    return { kind: 'builtin', functionName: 'playbook:fail', params: { message: THROW_MESSAGE, ...params } };
  if (name === 'playbook.functions.notify' || name === 'playbook.functions.sleep') return { kind: 'keep' };
  if (/^(playbook:|\.|\/|@)|#|\.[cm]?[jt]s$/.test(name)) return { kind: 'keep' };
  return /^[A-Za-z_][\w.]*$/.test(name) ? { kind: 'manual' } : { kind: 'keep' };
}
