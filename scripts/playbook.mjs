// `pnpm playbook <args>`: the built CLI, run from the folder pnpm was called in. pnpm runs a script in the
// package's folder (the repository root), which would make `pnpm playbook validate ./x.playbook.toml` look for
// the file there; INIT_CWD is the caller's folder, so paths resolve as they do for `playbook` on the PATH.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by pnpm for the scripts it runs, not a turbo task input
process.chdir(process.env.INIT_CWD || process.cwd());
await import('../apps/cli/dist/bin.cjs');
