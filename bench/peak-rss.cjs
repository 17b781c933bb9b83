// Preloaded (`node --require`) into a process whose peak memory a benchmark reports: at exit, writes its peak
// resident set size in KiB to the file named by PLAYBOOK_BENCH_RSS_FILE.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by bench/cases/scale.mjs for its child, never by a turbo task
  const file = process.env.PLAYBOOK_BENCH_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
