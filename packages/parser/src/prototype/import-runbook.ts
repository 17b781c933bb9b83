import type { ExpressionsModule } from '@playbook/expressions/cel';
import { type KeyLocations, locateKeys } from '../key-locator.js';
import { parseRunbook, readTomlDocument } from '../parse-runbook.js';
import type { Problem } from '../problem.js';
import { allOf, outcomeCall, readsFailure, readWhen, requiredSuccesses } from './conditions.js';
import { resolveDependencies } from './dependencies.js';
import type { ImportNote, NoteSink } from './import-notes.js';
import { joinInlineTables } from './inline-tables.js';
import { parseJinjaExpression, UnsupportedJinja } from './jinja-expression.js';
import { hasJinja, splitJinjaText } from './jinja-text.js';
import { type CelContext, celSelect, conditionToCel, UnknownStep, valueToCel } from './jinja-to-cel.js';
import { mapFunctionName, mapPlugin } from './plugins.js';
import { convertCommand, convertText, envNameFor, literal, type TextConversion } from './text-templates.js';
import { tomlComment, tomlKey, tomlText, tomlValue } from './toml-writer.js';
import { type ConvertedInput, convertVariable, toInputValue } from './variables.js';

/** A converted runbook and what changed, or why the file cannot be converted. */
export type ImportResult =
  | { readonly ok: true; readonly text: string; readonly notes: readonly ImportNote[] }
  | { readonly ok: false; readonly problems: readonly Problem[]; readonly notes: readonly ImportNote[] };

/** The prototype's default question after a step (`prompt_after`). */
export const PROTOTYPE_DEFAULT_PROMPT = 'Continue with the next step?';

const META_FIELDS = ['title', 'description', 'version', 'author', 'created_at'] as const;
/** Fields this format shares with the prototype, copied as they are (when they hold no Jinja). */
const SHARED_FIELDS = new Set(['critical', 'skippable', 'repeatable', 'name', 'timeout']);
/** Fields handled one by one below. */
const HANDLED_FIELDS = new Set([
  'type',
  'depends_on',
  'when',
  'skip',
  'description',
  'prompt',
  'prompt_after',
  'prompt_before',
  'command_name',
  'function_name',
  'function_params',
  'plugin',
  'function',
  'plugin_config',
  'interactive',
]);

interface OutputNode {
  readonly id: string;
  type: string;
  readonly fields: [string, string][];
  readonly comments: string[];
  dependsOn: string[];
  runIf?: 'failure' | 'always';
  when?: string;
  /** Steps the condition reads: each must come before the node. */
  readonly reads: Set<string>;
  /** A `prompt_after` of a Command or Function step: the question of the Manual step inserted after it. */
  confirm?: string;
}

const isTable = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/**
 * Converts the text of a runbook written for the Python prototype (v0.1 to v1.x: `[variables]`, Jinja
 * `{{ … }}`, `prompt_after`, `id:success` dependencies, `when`, plugin Function nodes) into this tool's format.
 * Pure: no I/O. Every change and every approximation is a note with its source line; a file that cannot be
 * converted (not TOML, a cycle, a bad variable name, a condition naming a missing node…) gives problems and no
 * text. `options.cel` type-checks the result's expressions, as for {@link parseRunbook}.
 */
export function importPrototypeRunbook(
  text: string,
  fileName: string,
  options: { readonly cel?: ExpressionsModule } = {},
): ImportResult {
  const body = joinInlineTables(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const locations = locateKeys(body);
  const read = readTomlDocument(body, locations, fileName);
  if (!read.ok) return { ok: false, problems: read.problems, notes: [] };
  return new Importer(read.document, locations, fileName).run(options);
}

class Importer {
  readonly notes: ImportNote[] = [];
  readonly problems: Problem[] = [];
  readonly inputs = new Map<string, ConvertedInput>();
  readonly nodes: OutputNode[] = [];
  readonly nodeIds: Set<string>;
  readonly order: string[];

  constructor(
    readonly document: Record<string, unknown>,
    readonly locations: KeyLocations,
    readonly fileName: string,
  ) {
    this.order = locations.topLevelOrder.filter(
      (key) => key !== 'runbook' && key !== 'variables' && Object.hasOwn(document, key),
    );
    this.nodeIds = new Set(this.order);
  }

  lineOf(path: readonly string[]): number {
    for (let length = path.length; length > 0; length -= 1) {
      const found = this.locations.find(path.slice(0, length));
      if (found !== undefined) return found.line;
    }
    return 1;
  }

  sink(table: string, base: readonly string[] = [table]): NoteSink {
    const note = (severity: ImportNote['severity'], field: string | undefined, message: string): void => {
      this.notes.push({
        severity,
        line: this.lineOf(field === undefined ? base : [...base, field]),
        nodeId: table,
        ...(field === undefined && base.length === 1
          ? {}
          : { field: [...base.slice(1), ...(field === undefined ? [] : [field])].join('.') }),
        message,
      });
    };
    return {
      change: (field, message) => note('change', field, message),
      warning: (field, message) => note('warning', field, message),
    };
  }

  problem(nodeId: string | undefined, field: string | undefined, message: string, code: string): void {
    const path = [nodeId ?? 'runbook', ...(field === undefined ? [] : [field])];
    this.problems.push({
      severity: 'error',
      code,
      message,
      file: this.fileName,
      ...(nodeId === undefined ? {} : { nodeId }),
      ...(field === undefined ? {} : { field }),
      line: nodeId === undefined ? 1 : this.lineOf(path),
    });
  }

  /** The translation context for one field: undeclared names become inputs, with a note there. */
  celContext(sink: NoteSink, field: string, reads: Set<string> | undefined): CelContext {
    return {
      input: (name) => {
        const known = this.inputs.get(name);
        if (known !== undefined) return known.type;
        this.inputs.set(name, { name, type: 'string', leftovers: [] });
        sink.warning(
          field,
          `\`${name}\` is not declared in [variables]: declared as a required string input`,
        );
        return 'string';
      },
      step: (id) => {
        if (!this.nodeIds.has(id)) return false;
        reads?.add(id);
        return true;
      },
      fallback: (name, value) => {
        const input = this.inputs.get(name);
        if (input === undefined || input.default !== undefined) return;
        const converted = toInputValue(value, input.type);
        if (converted === undefined) return;
        input.default = converted;
        sink.change(
          field,
          `\`${name} | default(…)\`: the input \`${name}\` gets the default ${JSON.stringify(converted)}`,
        );
      },
    };
  }

  translator(sink: NoteSink, field: string): (source: string) => string {
    return (source) => valueToCel(parseJinjaExpression(source), this.celContext(sink, field, undefined));
  }

  /** Text with `{{ … }}` converted; on failure the original text is kept and a warning says why. */
  text(value: string, sink: NoteSink, field: string, kind: 'text' | 'command' = 'text'): TextConversion {
    const unchanged = { ok: true, text: literal(value), expressions: [], env: new Map() } as const;
    if (!hasJinja(value)) return unchanged;
    if (this.document.variables === undefined) {
      // The prototype rendered {{ … }} in text only when the file declared [variables] (or --var gave values).
      sink.warning(
        field,
        'kept as literal text: without [variables] the prototype rendered {{ … }} only for values given with --var; declare them in [variables] and import again to convert them',
      );
      return unchanged;
    }
    let conversion: TextConversion;
    try {
      conversion =
        kind === 'command'
          ? convertCommand(value, this.translator(sink, field), envNameFor)
          : convertText(value, this.translator(sink, field));
    } catch (error) {
      if (error instanceof UnknownStep) throw error;
      if (!(error instanceof UnsupportedJinja)) throw error;
      conversion = { ok: false, reason: error.message };
    }
    if (conversion.ok) {
      const list = conversion.expressions
        .map(([source, cel]) => `{{ ${source} }} → \${{ ${cel} }}`)
        .join(', ');
      sink.change(field, list);
      if (conversion.env.size > 0)
        sink.change(
          field,
          `inside the command's quotes, so passed through env: ${[...conversion.env.keys()].map((name) => `$${name}`).join(', ')}`,
        );
    }
    return conversion;
  }

  run(options: { readonly cel?: ExpressionsModule }): ImportResult {
    this.convertVariables();
    for (const key of Object.keys(this.document)) {
      if (key === 'runbook' || key === 'variables') continue;
      if (!isTable(this.document[key]))
        this.problem(
          key,
          undefined,
          `\`${key}\` is not a table: every top-level key but [runbook] and [variables] is a node`,
          'NOT_A_TABLE',
        );
    }
    const meta = this.convertMeta();
    for (const [index, id] of this.order.entries()) {
      const table = this.document[id];
      if (isTable(table)) {
        try {
          this.convertNode(id, table, index);
        } catch (error) {
          if (!(error instanceof UnknownStep)) throw error;
          this.problem(id, 'when', error.message, 'UNKNOWN_NODE');
        }
      }
    }
    this.insertConfirmations();
    this.placeReadSteps();
    this.noteDefaultPrompts();
    if (this.problems.length > 0) return { ok: false, problems: this.problems, notes: this.sorted() };
    const text = this.write(meta);
    const checked = parseRunbook(text, this.fileName, options.cel === undefined ? {} : { cel: options.cel });
    if (!checked.ok) {
      // The converted text is ours: its problems are the source's, located at the source's node and field.
      const problems = checked.problems
        .filter((problem) => problem.severity === 'error')
        .map(({ column: _column, ...problem }) => ({
          ...problem,
          line: this.lineOf([
            problem.nodeId ?? 'runbook',
            ...(problem.field === undefined ? [] : [problem.field]),
          ]),
        }));
      return { ok: false, problems, notes: this.sorted() };
    }
    for (const warning of checked.warnings) {
      this.notes.push({
        severity: 'warning',
        line: this.lineOf([
          warning.nodeId ?? 'runbook',
          ...(warning.field === undefined ? [] : [warning.field]),
        ]),
        ...(warning.nodeId === undefined ? {} : { nodeId: warning.nodeId }),
        ...(warning.field === undefined ? {} : { field: warning.field }),
        message: `the converted file: ${warning.message}`,
      });
    }
    return { ok: true, text, notes: this.sorted() };
  }

  sorted(): ImportNote[] {
    return this.notes
      .map((note, index) => ({ note, index }))
      .sort((a, b) => a.note.line - b.note.line || a.index - b.index)
      .map(({ note }) => note);
  }

  convertVariables(): void {
    const variables = this.document.variables;
    if (variables === undefined) return;
    if (!isTable(variables)) {
      this.problem('variables', undefined, '[variables] must be a table of variables', 'BAD_VARIABLES');
      return;
    }
    for (const [name, config] of Object.entries(variables)) {
      const sink = this.sink('variables', ['variables', name]);
      const converted = convertVariable(name, config, sink);
      if ('message' in converted) {
        this.problems.push({
          severity: 'error',
          code: 'BAD_VARIABLE_NAME',
          message: converted.message,
          file: this.fileName,
          nodeId: 'variables',
          field: name,
          line: this.lineOf(['variables', name]),
        });
        continue;
      }
      this.inputs.set(name, converted);
      sink.change(undefined, `→ [runbook.inputs.${name}]`);
    }
  }

  convertMeta(): [string, string][] {
    const runbook = this.document.runbook;
    const sink = this.sink('runbook');
    const fields: [string, string][] = [];
    if (!isTable(runbook)) return fields;
    for (const field of META_FIELDS) {
      const value = runbook[field];
      if (value === undefined) continue;
      if (typeof value === 'string' && hasJinja(value))
        sink.warning(field, `{{ … }} has no equivalent in the [runbook] table: kept as literal text`);
      fields.push([field, tomlValue(value)]);
    }
    for (const [key, value] of Object.entries(runbook)) {
      if ((META_FIELDS as readonly string[]).includes(key)) continue;
      sink.warning(key, `\`${key}\` has no equivalent: kept as a comment`);
      fields.push([`#${key}`, tomlComment(`prototype: ${key} = ${tomlValue(value)}`)]);
    }
    return fields;
  }

  convertNode(id: string, table: Record<string, unknown>, index: number): void {
    const sink = this.sink(id);
    const node: OutputNode = {
      id,
      type: typeof table.type === 'string' ? table.type : '',
      fields: [],
      comments: [],
      dependsOn: [],
      reads: new Set(),
    };
    this.nodes.push(node);
    const keep = (key: string, why: string): void => {
      sink.warning(key, `${why}: kept as a comment`);
      node.comments.push(tomlComment(`prototype: ${key} = ${tomlValue(table[key])}`));
    };

    const dependencies = resolveDependencies(table.depends_on, index, this.order, sink);
    if (typeof dependencies === 'string') {
      this.problem(id, 'depends_on', dependencies, 'BAD_DEPENDENCY');
      return;
    }
    node.dependsOn = dependencies.ids;
    for (const dependency of dependencies.ids) {
      if (!this.nodeIds.has(dependency))
        this.problem(
          id,
          'depends_on',
          `depends on \`${dependency}\`, which this runbook does not have`,
          'UNKNOWN_NODE',
        );
    }

    if (typeof table.description === 'string') {
      const conversion = this.text(table.description, sink, 'description');
      node.fields.push(['description', tomlText(conversion.ok ? conversion.text : table.description)]);
      if (!conversion.ok) sink.warning('description', `${conversion.reason}: kept as literal text`);
    }

    // Type-specific fields first: an unknown plugin turns the node into a Manual step.
    if (node.type === 'Manual') this.convertManual(node, table, sink);
    else if (node.type === 'Command') this.convertCommandNode(node, table, sink, keep);
    else if (node.type === 'Function') this.convertFunction(node, table, sink, keep);
    else if (table.type !== undefined) node.fields.unshift(['type', tomlValue(table.type)]);

    this.convertCondition(node, table, dependencies.outcomes, sink, keep);

    for (const field of SHARED_FIELDS) {
      const value = table[field];
      if (value === undefined) continue;
      if (typeof value === 'string' && hasJinja(value)) {
        this.literalField(node, field, value, sink);
        continue;
      }
      node.fields.push([field, tomlValue(value)]);
    }
    if (table.prompt_before !== undefined && table.prompt_before !== '')
      keep('prompt_before', 'a question before the step has no equivalent (add a Manual step before it)');
    for (const key of Object.keys(table)) {
      if (HANDLED_FIELDS.has(key) || SHARED_FIELDS.has(key)) continue;
      keep(key, `\`${key}\` has no equivalent`);
    }
  }

  /** A field that must be literal here (a number, a flag, a name) but holds Jinja. */
  literalField(node: OutputNode, field: string, value: string, sink: NoteSink): void {
    const parts = splitJinjaText(value.trim());
    const [only] = parts;
    const name =
      only?.kind === 'expression' && parts.length === 1
        ? /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(only.source)?.[1]
        : undefined;
    const fallback = name === undefined ? undefined : this.inputs.get(name)?.default;
    if (field === 'name') {
      sink.warning(field, '{{ … }} has no equivalent in a name: kept as literal text');
      node.fields.push([field, tomlText(value)]);
    } else if (field === 'timeout' && typeof fallback === 'number' && fallback > 0) {
      sink.warning(
        field,
        `${value} cannot vary per run here: the default of \`${name}\`, ${fallback}, is used`,
      );
      node.fields.push([field, String(fallback)]);
    } else {
      sink.warning(field, `${value} cannot vary per run here: left out (kept as a comment)`);
      node.comments.push(tomlComment(`prototype: ${field} = ${tomlValue(value)}`));
    }
  }

  convertManual(node: OutputNode, table: Record<string, unknown>, sink: NoteSink): void {
    let prompt: unknown = table.prompt;
    if (typeof table.prompt_after === 'string' && table.prompt_after !== '') {
      prompt = table.prompt_after;
      sink.change('prompt_after', 'prompt_after → prompt');
    } else if (prompt === undefined) {
      prompt = PROTOTYPE_DEFAULT_PROMPT;
      sink.change(
        undefined,
        `no prompt_after: the prototype's default question "${PROTOTYPE_DEFAULT_PROMPT}" written out as prompt`,
      );
    }
    node.fields.unshift(['type', '"Manual"']);
    if (typeof prompt !== 'string') {
      node.fields.push(['prompt', tomlValue(prompt)]);
      return;
    }
    const conversion = this.text(prompt, sink, table.prompt_after === prompt ? 'prompt_after' : 'prompt');
    if (!conversion.ok) sink.warning('prompt_after', `${conversion.reason}: kept as literal text`);
    node.fields.push(['prompt', tomlText(conversion.ok ? conversion.text : prompt)]);
  }

  convertCommandNode(
    node: OutputNode,
    table: Record<string, unknown>,
    sink: NoteSink,
    keep: (key: string, why: string) => void,
  ): void {
    node.fields.unshift(['type', '"Command"']);
    const command = table.command_name;
    if (typeof command === 'string') {
      const conversion = this.text(command, sink, 'command_name', 'command');
      if (conversion.ok) {
        node.fields.push(['command_name', tomlText(conversion.text)]);
        if (conversion.env.size > 0) node.fields.push(['env', tomlValue(Object.fromEntries(conversion.env))]);
        if (conversion.expressions.length > 0 && command.includes('<<'))
          sink.warning(
            'command_name',
            'a here-document: check that the values read inside it are still expanded as meant',
          );
      } else {
        sink.warning(
          'command_name',
          `${conversion.reason}: the command is kept as a comment and the step never runs (when = "false")`,
        );
        node.comments.push(tomlComment(`prototype: command_name = ${tomlValue(command)}`));
        node.fields.push(['command_name', tomlText('false')]);
        node.when = 'false';
      }
    } else if (command !== undefined) node.fields.push(['command_name', tomlValue(command)]);
    if (table.interactive === true)
      keep(
        'interactive',
        'the command runs with its output captured and streamed, not on the terminal itself',
      );
    this.askAfter(node, table, sink);
  }

  convertFunction(
    node: OutputNode,
    table: Record<string, unknown>,
    sink: NoteSink,
    keep: (key: string, why: string) => void,
  ): void {
    const params = isTable(table.function_params) ? table.function_params : {};
    if (table.function_params !== undefined && !isTable(table.function_params))
      this.problem(node.id, 'function_params', 'function_params must be a table', 'BAD_FIELD');
    let functionName = table.function_name;
    let outParams: Record<string, unknown> = params;
    if (typeof table.plugin === 'string' || typeof table.function === 'string') {
      const mapped = mapPlugin(String(table.plugin ?? ''), String(table.function ?? ''), params);
      if (mapped.kind === 'manual') {
        this.pluginAsManual(node, table, params, sink);
        return;
      }
      functionName = mapped.functionName;
      outParams = mapped.params;
      sink.change(
        'plugin',
        `plugin = "${String(table.plugin)}", function = "${String(table.function)}" → function_name = "${mapped.functionName}"`,
      );
    } else if (typeof functionName === 'string') {
      const mapped = mapFunctionName(functionName, params);
      if (mapped.kind === 'manual') {
        this.pluginAsManual(node, table, params, sink, functionName, 'function_name');
        return;
      }
      if (mapped.kind === 'builtin') {
        sink.change('function_name', `function_name = "${functionName}" → "${mapped.functionName}"`);
        functionName = mapped.functionName;
        outParams = mapped.params;
      }
    }
    node.fields.unshift(['type', '"Function"']);
    if (functionName !== undefined) node.fields.push(['function_name', tomlValue(functionName)]);
    const converted: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(outParams)) {
      if (typeof value !== 'string') {
        converted[key] = value;
        continue;
      }
      const conversion = this.text(value, sink, 'function_params');
      if (!conversion.ok) {
        sink.warning(
          'function_params',
          `${key}: ${conversion.reason}: kept as literal text, and the step never runs (when = "false")`,
        );
        node.when = 'false';
      }
      converted[key] = conversion.ok ? conversion.text : value;
    }
    if (Object.keys(converted).length > 0 || table.function_params !== undefined)
      node.fields.push(['function_params', tomlValue(converted)]);
    if (table.plugin_config !== undefined) keep('plugin_config', 'plugin configuration has no equivalent');
    this.askAfter(node, table, sink);
  }

  /** A plugin this tool has no equivalent of: the operator does by hand what it did. */
  pluginAsManual(
    node: OutputNode,
    table: Record<string, unknown>,
    params: Record<string, unknown>,
    sink: NoteSink,
    call = `${String(table.plugin ?? '?')}.${String(table.function ?? '?')}`,
    field = 'plugin',
  ): void {
    sink.warning(
      field,
      `the ${field === 'plugin' ? 'plugin function' : 'Python function'} ${call} has no equivalent here: the step became a Manual step asking the operator to do it by hand (or replace it with a Function node of your own)`,
    );
    const lines = Object.entries(params).map(
      ([key, value]) => `  ${key} = ${typeof value === 'string' ? value : tomlValue(value)}`,
    );
    const prompt = [
      `Do by hand what the ${field === 'plugin' ? 'plugin call' : 'Python function'} ${call} did, with:`,
      ...lines,
      'Done?',
    ].join('\n');
    const conversion = this.text(prompt, sink, 'function_params');
    node.type = 'Manual';
    node.fields.unshift(['type', '"Manual"']);
    node.fields.push(['prompt', tomlText(conversion.ok ? conversion.text : prompt)]);
    node.comments.push(
      tomlComment(
        field === 'plugin'
          ? `prototype: plugin = ${tomlValue(table.plugin)}, function = ${tomlValue(table.function)}`
          : `prototype: function_name = ${tomlValue(call)}`,
      ),
    );
    if (table.plugin_config !== undefined)
      node.comments.push(tomlComment(`prototype: plugin_config = ${tomlValue(table.plugin_config)}`));
  }

  convertCondition(
    node: OutputNode,
    table: Record<string, unknown>,
    outcomes: readonly { id: string; outcome: 'success' | 'failure' }[],
    sink: NoteSink,
    keep: (key: string, why: string) => void,
  ): void {
    if (table.skip === true) {
      sink.change('skip', 'skip = true → when = "false" (recorded skipped, like the prototype)');
      node.when = 'false';
      return;
    }
    if (node.when === 'false') return;
    const when = table.when === undefined ? ({ kind: 'always' } as const) : readWhen(table.when);
    if (when.kind === 'unsupported') {
      keep('when', `${when.reason}; the step never runs until you write the condition (when = "false")`);
      node.when = 'false';
      return;
    }
    const onlyFailure =
      when.kind === 'always' &&
      outcomes.length === 1 &&
      outcomes[0]?.outcome === 'failure' &&
      node.dependsOn.length === 1;
    if (onlyFailure) {
      node.runIf = 'failure';
      sink.change(
        'depends_on',
        `"${outcomes[0]?.id}:failure" → depends_on = ["${outcomes[0]?.id}"], run_if = "failure"`,
      );
      return;
    }
    const condition = allOf([
      ...outcomes.map(({ id, outcome }) => outcomeCall(id, outcome)),
      ...(when.kind === 'expression' ? [when.node] : []),
    ]);
    if (condition === undefined) return;
    const field = table.when === undefined ? 'depends_on' : 'when';
    let cel: string;
    try {
      cel = conditionToCel(condition, this.celContext(sink, field, node.reads));
    } catch (error) {
      if (error instanceof UnknownStep) throw error;
      if (!(error instanceof UnsupportedJinja)) throw error;
      keep('when', `${error.message}; the step never runs until you write the condition (when = "false")`);
      node.when = 'false';
      return;
    }
    node.when = cel;
    const required = requiredSuccesses(condition);
    if (
      readsFailure(condition) ||
      (node.dependsOn.length > 0 && node.dependsOn.every((id) => required.has(id)))
    )
      node.runIf = 'always';
    const from = [
      ...outcomes.map(({ id, outcome }) => `"${id}:${outcome}"`),
      ...(typeof table.when === 'string' ? [table.when.trim()] : []),
    ].join(' and ');
    sink.change(
      field,
      `${from} → when = ${JSON.stringify(cel)}${node.runIf === 'always' ? ', run_if = "always" (the condition decides, not a failed dependency)' : ''}`,
    );
  }

  /** Keeps a Command or Function step's own `prompt_after` question, for {@link insertConfirmations}. */
  askAfter(node: OutputNode, table: Record<string, unknown>, sink: NoteSink): void {
    if (typeof table.prompt_after !== 'string' || table.prompt_after === '') return;
    const conversion = this.text(table.prompt_after, sink, 'prompt_after');
    if (!conversion.ok) sink.warning('prompt_after', `${conversion.reason}: kept as literal text`);
    node.confirm = conversion.ok ? conversion.text : table.prompt_after;
  }

  /**
   * The prototype asked a Command or Function step's `prompt_after` once the step had succeeded, and a "no"
   * failed the step. Here that question is a Manual step right after it, which the steps that waited for the
   * step (success ones) now wait for.
   */
  insertConfirmations(): void {
    const ids = new Set(this.nodeIds);
    for (let index = 0; index < this.nodes.length; index += 1) {
      const node = this.nodes[index];
      if (node?.confirm === undefined) continue;
      let id = `${node.id}_confirm`;
      for (let n = 2; ids.has(id); n += 1) id = `${node.id}_confirm_${n}`;
      ids.add(id);
      const confirm: OutputNode = {
        id,
        type: 'Manual',
        fields: [
          ['type', '"Manual"'],
          ['prompt', tomlText(node.confirm)],
        ],
        comments: [],
        dependsOn: [node.id],
        when: `${celSelect('steps', node.id)}.status == "ok"`,
        reads: new Set(),
      };
      for (const other of this.nodes) {
        if (other.runIf !== undefined || !other.dependsOn.includes(node.id)) continue;
        other.dependsOn = [
          ...new Set(other.dependsOn.map((dependency) => (dependency === node.id ? id : dependency))),
        ];
      }
      this.nodes.splice(index + 1, 0, confirm);
      index += 1;
      this.sink(node.id).change(
        'prompt_after',
        `→ a Manual step \`${id}\` right after it, asking the question once it succeeded; the steps that waited for \`${node.id}\` wait for it`,
      );
    }
  }

  /** A condition may read only steps that come before the node: depend on each one that does not yet. */
  placeReadSteps(): void {
    const byId = new Map(this.nodes.map((node) => [node.id, node]));
    for (const node of this.nodes) {
      if (node.reads.size === 0) continue;
      const before = new Set<string>();
      const stack = [...node.dependsOn];
      while (stack.length > 0) {
        const id = stack.pop();
        if (id === undefined || before.has(id)) continue;
        before.add(id);
        for (const dependency of byId.get(id)?.dependsOn ?? []) stack.push(dependency);
      }
      for (const id of node.reads) {
        if (before.has(id) || id === node.id) continue;
        node.dependsOn.push(id);
        this.sink(node.id).change(
          'when',
          `the condition reads \`${id}\`: it is added to depends_on, so that it has ended first`,
        );
      }
    }
  }

  /** The prototype asked its default question after every successful Command and Function step. */
  noteDefaultPrompts(): void {
    const first = this.order.find((id) => {
      const table = this.document[id];
      return (
        isTable(table) &&
        (table.type === 'Command' || table.type === 'Function') &&
        table.prompt_after === undefined
      );
    });
    if (first === undefined) return;
    this.sink(first).warning(
      undefined,
      `the prototype asked "${PROTOTYPE_DEFAULT_PROMPT}" after each successful Command and Function step without prompt_after = ""; this format goes on without asking (add a Manual step where a pause matters)`,
    );
  }

  write(meta: readonly [string, string][]): string {
    const out: string[] = [
      "# Converted from the Python prototype's format by `playbook import`.",
      '',
      '[runbook]',
    ];
    for (const [key, value] of meta) out.push(key.startsWith('#') ? value : `${key} = ${value}`);
    for (const input of this.inputs.values()) {
      out.push('', `[runbook.inputs.${input.name}]`, `type = "${input.type}"`);
      if (input.description !== undefined) out.push(`description = ${tomlText(input.description)}`);
      if (input.choices !== undefined) out.push(`choices = ${tomlValue(input.choices)}`);
      if (input.default !== undefined) out.push(`default = ${tomlValue(input.default)}`);
      if (input.pattern !== undefined) out.push(`pattern = ${tomlText(input.pattern)}`);
      if (input.min !== undefined) out.push(`min = ${input.min}`);
      if (input.max !== undefined) out.push(`max = ${input.max}`);
      for (const leftover of input.leftovers) out.push(tomlComment(`prototype: ${leftover}`));
    }
    for (const node of this.nodes) {
      out.push('', `[${tomlKey(node.id)}]`);
      const [typeField, ...rest] = node.fields;
      if (typeField !== undefined) out.push(`${typeField[0]} = ${typeField[1]}`);
      out.push(`depends_on = ${tomlValue(node.dependsOn)}`);
      if (node.runIf !== undefined) out.push(`run_if = "${node.runIf}"`);
      if (node.when !== undefined) out.push(`when = ${tomlText(node.when)}`);
      for (const [key, value] of rest) out.push(`${key} = ${value}`);
      for (const comment of node.comments) out.push(comment);
    }
    return `${out.join('\n')}\n`;
  }
}
