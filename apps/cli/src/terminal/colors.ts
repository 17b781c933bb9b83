import { paint, type Style } from '../colors.js';

/**
 * The styles the run renderer and prompts use, bound once to the colour decision of their stream
 * (`context.color`, which already applied NO_COLOR / FORCE_COLOR / TTY).
 */
export interface Colors {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  cyan(text: string): string;
  magenta(text: string): string;
}

/** Colour functions, all plain when `enabled` is false. */
export function createColors(enabled: boolean): Colors {
  const style = (name: Style) => (text: string) => paint(enabled, name, text);
  return {
    enabled,
    bold: style('bold'),
    dim: style('dim'),
    red: style('red'),
    green: style('green'),
    yellow: style('yellow'),
    blue: style('blue'),
    magenta: style('magenta'),
    cyan: style('cyan'),
  };
}
