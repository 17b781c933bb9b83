import { readFile } from 'node:fs/promises';
import type { Runbook } from '@playbook/domain';
import { BaseCommand } from '../base-command.js';
import { Command, Option, UsageError } from '../clipanion.js';
import { CliError, ExitCode, formatError } from '../errors.js';
import { visibleLine } from '../terminal/visible.js';

/** Signals that stop the server: Ctrl-C, a service manager's stop, the terminal going away. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** `playbook serve`: a read-only, live web view of the run history. */
export class ServeCommand extends BaseCommand {
  static override paths = [['serve']];

  static override usage = Command.Usage({
    description: 'Serve a read-only, live web view of the run history',
    details: `
      Serves the configured run history as web pages: the workflows with their runs counted by status; a
      workflow's runs, filterable by status; and a run's page with its graph coloured by status, its nodes,
      inputs (secrets as \`***\`), and every attempt with its decision, result, outputs and captured output.
      Open pages follow the history: a node that ends, a run that starts or ends, shows without a reload.

      The server only reads the history; it never changes it, and needs no write access to it. It listens on
      127.0.0.1 (this machine only) by default and prints its address with a random access token, as
      \`http://127.0.0.1:4477/?token=…\`: a request without the token is refused (401, or 403 for a wrong one),
      so other users of a shared host cannot read the history. \`--port 0\` picks a free port.

      Listening on another address (\`--host 0.0.0.0\`) requires HTTPS: give a certificate and its key in PEM
      files with \`--tls-cert\` and \`--tls-key\`. Pages load nothing from the network and run no inline script.

      The history keeps each run's node ids, not the edges between them: give the runbook files with
      \`--runbook\` (repeatable, matched to workflows by title) to draw the graphs with their edges.

      Ctrl-C (or SIGTERM) stops the server; it then exits 0.
    `,
    examples: [
      ['Serve the history on this machine', '$0 serve'],
      [
        'Another port, and the graph of "Deploy" with its edges',
        '$0 serve --port 8080 --runbook deploy.playbook.toml',
      ],
      [
        'Serve a team over the network, with HTTPS',
        '$0 --state-url postgres://ops@db/playbook serve --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem',
      ],
    ],
  });

  port = Option.String('--port', { description: 'Port to listen on (default 4477; 0 picks a free one)' });

  host = Option.String('--host', {
    description: 'Address to listen on (default 127.0.0.1; any other needs --tls-cert and --tls-key)',
  });

  tlsCert = Option.String('--tls-cert', { description: 'Certificate (PEM) to serve HTTPS with' });

  tlsKey = Option.String('--tls-key', { description: 'Private key (PEM) of the certificate' });

  runbookFiles = Option.Array('--runbook', {
    description: "A runbook file, to draw its workflow's graph with edges (repeatable)",
  });

  override async execute(): Promise<number> {
    const port = this.port === undefined ? undefined : parsePort(this.port);
    if ((this.tlsCert === undefined) !== (this.tlsKey === undefined)) {
      throw new UsageError('--tls-cert and --tls-key go together: give both, or neither');
    }
    const { isLoopbackHost, startServer, ServeError, DEFAULT_HOST } = await import('@playbook/server');
    const host = this.host ?? DEFAULT_HOST;
    if (this.tlsCert === undefined && !isLoopbackHost(host)) {
      throw new UsageError(
        `serving on ${visibleLine(host)} needs --tls-cert and --tls-key: the access token and the history would cross the network in clear`,
      );
    }
    const tls =
      this.tlsCert === undefined || this.tlsKey === undefined
        ? undefined
        : {
            cert: await this.readPem(this.tlsCert, '--tls-cert'),
            key: await this.readPem(this.tlsKey, '--tls-key'),
          };

    const runbooks = await this.loadRunbooks(this.runbookFiles ?? []);

    const { statePath } = this.resolveConfig();
    if (!(await this.stateFileExists()))
      throw new CliError(`no run history yet: ${statePath} does not exist`);

    return this.withRepository(
      async (history) => {
        let server: Awaited<ReturnType<typeof startServer>>;
        try {
          server = await startServer({
            history,
            host,
            runbooks,
            ...(port === undefined ? {} : { port }),
            ...(tls === undefined ? {} : { tls }),
            onError: (error) =>
              this.context.stderr.write(
                formatError(error, { verbose: this.verbose, color: this.context.color.stderr }),
              ),
          });
        } catch (error) {
          if (error instanceof ServeError)
            throw new CliError(visibleLine(error.message), ExitCode.failure, { cause: error });
          // A certificate or key that OpenSSL cannot use.
          if (
            tls !== undefined &&
            /^ERR_OSSL|^ERR_SSL/.test(String((error as NodeJS.ErrnoException).code ?? ''))
          ) {
            throw new CliError(
              `cannot serve HTTPS with ${visibleLine(this.tlsCert!)} and ${visibleLine(this.tlsKey!)}: ${(error as Error).message}`,
              ExitCode.failure,
              { cause: error },
            );
          }
          throw error;
        }
        this.context.stdout.write(
          `Serving the run history ${visibleLine(this.stateLocation())} at\n  ${server.url}\n`,
        );
        this.context.stderr.write(
          'Open the address above (it carries the access token). Ctrl-C stops the server.\n',
        );
        const signal = await waitForStop();
        await server.close();
        this.context.stderr.write(`Stopped (${signal}).\n`);
        return ExitCode.ok;
      },
      { readonly: true },
    );
  }

  /** The runbook files given, parsed: one whose problems would hide a graph is an error, as is a title twice. */
  private async loadRunbooks(files: readonly string[]): Promise<Runbook[]> {
    if (files.length === 0) return [];
    const { loadRunbook } = await import('@playbook/parser');
    const runbooks: Runbook[] = [];
    const titles = new Map<string, string>();
    for (const file of files) {
      const result = await loadRunbook(this.resolvePath(file));
      if (!result.ok) {
        await this.writeProblems(result.problems, file, 'stderr');
        throw new CliError(
          `${visibleLine(file)} is not a valid runbook; see \`playbook validate ${visibleLine(file)}\``,
        );
      }
      const title = result.runbook.meta.title;
      const before = titles.get(title);
      if (before !== undefined)
        throw new UsageError(
          `${visibleLine(before)} and ${visibleLine(file)} are both the runbook of "${visibleLine(title)}": give one`,
        );
      titles.set(title, file);
      runbooks.push(result.runbook);
    }
    return runbooks;
  }

  private async readPem(file: string, option: string): Promise<Buffer> {
    try {
      return await readFile(this.resolvePath(file));
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new CliError(`cannot read ${option} ${visibleLine(file)} (${reason})`, ExitCode.failure, {
        cause: error,
      });
    }
  }
}

/** A port number 0–65535, or a usage error naming the value. */
function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535))
    throw new UsageError(`--port must be a number from 0 to 65535, got "${visibleLine(text)}"`);
  return port;
}

/** Resolves with the first stop signal that arrives; until then the process keeps serving. */
function waitForStop(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      for (const name of STOP_SIGNALS) process.off(name, handlers[name]);
      resolve(signal);
    };
    const handlers = Object.fromEntries(STOP_SIGNALS.map((name) => [name, () => stop(name)])) as Record<
      (typeof STOP_SIGNALS)[number],
      () => void
    >;
    for (const name of STOP_SIGNALS) process.on(name, handlers[name]);
  });
}
