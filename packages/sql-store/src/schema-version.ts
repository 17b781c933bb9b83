/** Schema version of a set of applied migration names; unknown names count by their numeric prefix. */
export function schemaVersionOf(appliedNames: readonly string[]): number {
  let version = 0;
  for (const name of appliedNames) {
    const number = Number.parseInt(name, 10);
    if (Number.isFinite(number) && number > version) version = number;
  }
  return version;
}
