// Builds every package and prints nothing unless the build fails (then its output, and exit 1): for
// scripts/setup.sh and `pnpm bench`, where turbo's header, task lines and summary would bury what matters.
// `pnpm build` shows turbo's output as usual.
import { buildAll } from './lib/workspace.mjs';

try {
  await buildAll();
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
