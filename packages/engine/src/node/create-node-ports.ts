import type { Clock } from '../ports/clock.js';
import type { ProcessRunner, ProcessTable } from '../ports/process-runner.js';
import { NodeFunctionLoader } from './node-function-loader.js';
import { NodeProcessRunner, type NodeProcessRunnerOptions } from './node-process-runner.js';
import { NodeProcessTable } from './node-process-table.js';
import { SystemClock } from './system-clock.js';

export type NodePortsOptions = NodeProcessRunnerOptions;

/** The engine ports Node provides; add a `RunRepository` and a `Prompter` to get `EnginePorts`. */
export interface NodePorts {
  readonly clock: Clock;
  readonly processRunner: ProcessRunner;
  readonly functionLoader: NodeFunctionLoader;
  readonly processTable: ProcessTable;
}

/** Clock, process runner, function loader and process table of this Node process. */
export function createNodePorts(options: NodePortsOptions = {}): NodePorts {
  return {
    clock: new SystemClock(),
    processRunner: new NodeProcessRunner(options),
    functionLoader: new NodeFunctionLoader(),
    processTable: new NodeProcessTable(),
  };
}
