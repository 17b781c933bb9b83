// Benchmark harness: runs every case in bench/cases (or those named on the command line), prints the results
// and writes them into docs/performance.md between the bench markers. Needs a build (`pnpm bench` does it).
//   node bench/run.mjs [--quick] [--no-write] [case …]
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { title as everydayTitle } from './cases/everyday.mjs';
import { CLI, ROOT } from './lib.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const write = !args.includes('--no-write') && !quick;
const only = args.filter((a) => !a.startsWith('--'));

if (!existsSync(CLI)) {
  console.error('bench: build first (pnpm build), or use `pnpm bench`');
  process.exit(1);
}

const names = readdirSync(join(ROOT, 'bench/cases'))
  .filter((f) => f.endsWith('.mjs'))
  .map((f) => f.replace(/\.mjs$/, ''))
  .filter((n) => only.length === 0 || only.includes(n));

const fmtMs = (ms) =>
  ms == null ? '' : ms < 1 ? `${ms.toFixed(3)} ms` : `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
const rows = [];
for (const name of names) {
  const mod = await import(`./cases/${name}.mjs`);
  process.stderr.write(`bench: ${name} …\n`);
  for (const row of await mod.bench({ quick })) {
    const verdict = row.target == null ? '' : row.ratio <= row.target ? 'met' : 'missed';
    rows.push({ group: mod.title, ...row, verdict });
    process.stderr.write(
      `  ${row.measure}: ${row.candidateValue ?? fmtMs(row.candidateMs)} vs ${row.baselineValue ?? fmtMs(row.baselineMs)} → ×${row.ratio.toFixed(2)}${row.target == null ? '' : ` (aim ≤ ×${row.target}: ${verdict})`}${row.note ? ` — ${row.note}` : ''}\n`,
    );
  }
}

const table = [
  '| area | measure | value | baseline (same run) | value | ratio | aim | |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.group} | ${r.measure} | ${r.candidateValue ?? fmtMs(r.candidateMs)} | ${r.baseline} | ${r.baselineValue ?? fmtMs(r.baselineMs)} | ×${r.ratio.toFixed(2)} | ${r.target == null ? (r.note ?? '') : `≤ ×${r.target}`} | ${r.verdict} |`,
  ),
];
const header = `Measured ${new Date().toISOString().slice(0, 10)} with \`pnpm bench\` on Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}.`;
const block = `<!-- bench:start -->\n${header}\n\n${table.join('\n')}\n<!-- bench:end -->`;
console.log(block);

if (write && only.length === 0) {
  const doc = join(ROOT, 'docs/performance.md');
  const text = existsSync(doc)
    ? readFileSync(doc, 'utf8')
    : '# Performance\n\n<!-- bench:start -->\n<!-- bench:end -->\n';
  writeFileSync(doc, text.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, block));
  process.stderr.write('bench: wrote docs/performance.md\n');
}

// The README shows the everyday commands' ratios (also after `node bench/run.mjs everyday` alone).
const everyday = rows.filter((r) => r.group === everydayTitle);
if (write && everyday.length > 0) {
  const readme = join(ROOT, 'README.md');
  const lines = [
    '<!-- bench:everyday:start -->',
    '| command | time, × `node -e 0` in the same run | aim | |',
    '|---|---|---|---|',
    ...everyday.map(
      (r) =>
        `| ${r.measure} | ×${r.ratio.toFixed(2)} | ${r.target == null ? '' : `≤ ×${r.target}`} | ${r.verdict} |`,
    ),
    '',
    `${header.replace('Measured', 'Measured')} Details and the other benchmarks: [docs/performance.md](docs/performance.md).`,
    '<!-- bench:everyday:end -->',
  ];
  const text = readFileSync(readme, 'utf8');
  writeFileSync(
    readme,
    text.replace(/<!-- bench:everyday:start -->[\s\S]*<!-- bench:everyday:end -->/, lines.join('\n')),
  );
  process.stderr.write('bench: wrote the everyday figures into README.md\n');
}
