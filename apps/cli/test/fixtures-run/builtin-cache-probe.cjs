// Preloaded into the built binary (`node --expose-internals --require`) by code-cache.e2e.test.ts: at exit,
// writes to stderr which of Node's own modules the process compiled from source rather than from the code cache
// in Node's binary — V8 rejects that cache under other flags than the process started with. Node's own tests
// read the same counter (internalBinding('builtins').getCacheUsage).
const { internalBinding } = require('internal/test/binding');
process.on('exit', () => {
  const { compiledWithoutCache } = internalBinding('builtins').getCacheUsage();
  process.stderr.write(`playbook-probe ${JSON.stringify([...compiledWithoutCache])}\n`);
});
