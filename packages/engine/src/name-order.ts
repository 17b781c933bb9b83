/**
 * Orders names by code point, which is the byte order of their UTF-8 — SQLite's default `BINARY` collation —
 * so every adapter lists workflows and nodes alike, whatever its storage's own collation would say.
 * (JavaScript's `<` compares UTF-16 code units, which puts U+10000 and above before U+E000…U+FFFF.)
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only where a surrogate meets a unit above the surrogates does code-unit order differ from code points.
    return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** A UTF-16 unit's place in code-point order: surrogates (astral code points) after every BMP unit. */
function codePointRank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit;
}
