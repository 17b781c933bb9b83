// Preloaded into the built binary (NODE_OPTIONS=--require) by startup-budget.e2e.test.ts: at exit, writes to
// stderr which of Node's own modules the process loaded and whether it built `process.stdin` — a stream Node
// makes on first use, whose making loads modules of its own.
const descriptor = Object.getOwnPropertyDescriptor(process, 'stdin');
let stdinBuilt = false;
Object.defineProperty(process, 'stdin', {
  configurable: true,
  enumerable: descriptor.enumerable,
  get() {
    stdinBuilt = true;
    return descriptor.get.call(process);
  },
});
process.on('exit', () => {
  const modules = process.moduleLoadList
    .filter((entry) => entry.startsWith('NativeModule '))
    .map((entry) => entry.slice('NativeModule '.length));
  process.stderr.write(`playbook-probe ${JSON.stringify({ stdinBuilt, modules })}\n`);
});
