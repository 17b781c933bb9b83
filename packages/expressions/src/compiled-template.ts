import { ExpressionError } from './expression-error.js';
import type {
  CompiledExpression,
  ExpressionFacts,
  ExpressionScope,
  ExpressionValues,
} from './expression-scope.js';
import { renderValue, toPlain } from './render-value.js';
import { shellQuote } from './shell-words.js';
import { parseTemplate, type TemplatePart } from './template.js';

/** A template whose expressions are compiled: render it at each attempt. */
export interface CompiledTemplate {
  readonly text: string;
  readonly parts: readonly TemplatePart[];
  /** Each expression part's compiled expression, in order, with the offset of its source in `text`. */
  readonly expressions: readonly { readonly expression: CompiledExpression; readonly offset: number }[];
  /** The text with each expression's value written in (shell-quoted with `shell`). Throws `ExpressionError`. */
  render(values: ExpressionValues, options?: { readonly shell?: boolean }): string;
  /** A template that is exactly one expression gives that value with its type (ints as numbers); else text. */
  renderValue(values: ExpressionValues): unknown;
}

/**
 * Parses and compiles a template; an error (syntax, unknown input, type) throws `ExpressionError` whose offset
 * is in `text`.
 */
export function compileTemplate(scope: ExpressionScope, text: string): CompiledTemplate {
  const parts = parseTemplate(text);
  const expressions = eachExpression(parts, (source) => scope.compile(source));
  const evaluate = (index: number, values: ExpressionValues): unknown => {
    const compiled = expressions[index] as { expression: CompiledExpression };
    try {
      return compiled.expression.evaluate(values);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      // The message names the expression: a run-time failure must say which template of the field failed.
      throw new ExpressionError(
        error.code,
        `\${{ ${compiled.expression.source} }}: ${error.message}`,
        undefined,
        {
          cause: error,
        },
      );
    }
  };
  return {
    text,
    parts,
    expressions,
    render(values, options = {}) {
      let out = '';
      let index = 0;
      for (const part of parts) {
        if (part.kind === 'text') {
          out += part.text;
          continue;
        }
        const value = evaluate(index++, values);
        let text: string;
        try {
          text = renderValue(value);
        } catch (error) {
          if (!(error instanceof ExpressionError)) throw error;
          throw new ExpressionError(error.code, `\${{ ${part.source} }}: ${error.message}`);
        }
        out += options.shell === true ? shellQuote(text) : text;
      }
      return out;
    },
    renderValue(values) {
      if (parts.length === 1 && parts[0]?.kind === 'expression') {
        const value = evaluate(0, values);
        try {
          return toPlain(value);
        } catch (error) {
          if (!(error instanceof ExpressionError)) throw error;
          throw new ExpressionError(error.code, `\${{ ${parts[0].source} }}: ${error.message}`);
        }
      }
      return this.render(values);
    },
  };
}

/**
 * What `compileTemplate` checks, on a template already split by `parseTemplate`, keeping nothing to evaluate
 * (validation): each expression's facts with the offset of its source in the template's text. An error throws
 * `ExpressionError` at its offset in that text, exactly as `compileTemplate`'s.
 */
export function checkTemplate(
  scope: Pick<ExpressionScope, 'check'>,
  parts: readonly TemplatePart[],
): { readonly expression: ExpressionFacts; readonly offset: number }[] {
  return eachExpression(parts, (source) => scope.check(source));
}

// Each expression part through `handle`, in order; an error's offset moved from the expression into the text.
function eachExpression<T>(
  parts: readonly TemplatePart[],
  handle: (source: string) => T,
): { expression: T; offset: number }[] {
  const expressions: { expression: T; offset: number }[] = [];
  for (const part of parts) {
    if (part.kind !== 'expression') continue;
    try {
      expressions.push({ expression: handle(part.source), offset: part.sourceOffset });
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      throw new ExpressionError(error.code, error.message, part.sourceOffset + (error.offset ?? 0), {
        cause: error,
      });
    }
  }
  return expressions;
}
