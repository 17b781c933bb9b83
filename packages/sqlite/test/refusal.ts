import { expect } from 'vitest';
import { openSqliteRunRepository, StateFileError } from '../src/index.js';

/** Opens `path` (for writing, or `readonly`), expecting a one-line StateFileError naming it; returns it. */
export async function refusalOf(path: string, readonly: boolean): Promise<StateFileError> {
  const error = await openSqliteRunRepository(path, { readonly }).then(
    async (repo) => {
      await repo.close();
      return undefined;
    },
    (thrown: unknown) => thrown,
  );
  expect(error, `readonly: ${readonly}`).toBeInstanceOf(StateFileError);
  const stateError = error as StateFileError;
  expect(stateError.message).toContain(path);
  expect(stateError.message).not.toContain('\n');
  return stateError;
}
