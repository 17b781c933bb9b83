import type { Clock } from '../ports/clock.js';
import type { OperatorIdentity } from '../ports/identity.js';
import type { ProcessRunner, ProcessTable } from '../ports/process-runner.js';
import { NodeFunctionLoader } from './node-function-loader.js';
import { NodeProcessRunner, type NodeProcessRunnerOptions } from './node-process-runner.js';
import { NodeProcessTable } from './node-process-table.js';
import { osIdentity } from './os-identity.js';
import { SystemClock } from './system-clock.js';

export interface NodePortsOptions extends NodeProcessRunnerOptions {
  /** The clock to use; default the machine's (`SystemClock`). A composition root passes its one clock here. */
  readonly clock?: Clock;
  /** The claimed operator (`PLAYBOOK_OPERATOR`, config `operator`); left out or empty, nobody is claimed. */
  readonly operator?: string | null;
}

/** The engine ports Node provides; add a `RunRepository` and a `Prompter` to get `EnginePorts`. */
export interface NodePorts {
  readonly clock: Clock;
  readonly processRunner: ProcessRunner;
  readonly functionLoader: NodeFunctionLoader;
  readonly processTable: ProcessTable;
  readonly identity: OperatorIdentity;
}

/** Clock, process runner, function loader and process table of this Node process. */
export function createNodePorts(options: NodePortsOptions = {}): NodePorts {
  const { clock, operator, ...runnerOptions } = options;
  return {
    clock: clock ?? new SystemClock(),
    processRunner: new NodeProcessRunner(runnerOptions),
    functionLoader: new NodeFunctionLoader(),
    processTable: new NodeProcessTable(),
    identity: osIdentity(operator),
  };
}
