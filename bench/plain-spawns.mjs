// Baseline of the CLI run benchmark: a plain Node program spawning `sh -c true` N times.
import { plainSpawns } from './lib.mjs';

await plainSpawns(Number(process.argv[2] ?? 1000));
