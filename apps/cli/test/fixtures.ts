import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A valid runbook with one node of each type; the Function node uses a built-in. */
export const VALID_RUNBOOK = `[runbook]
title       = "Deploy"
description = "Blue/green deployment"
version     = "0.1.0"
author      = "Ops Team"
created_at  = "2025-05-03T12:08:00Z"

[build]
type         = "Command"
command_name = "echo build"
critical     = true
name         = "Build image"

[approve]
type       = "Manual"
prompt     = "Deploy to production?"
depends_on = ["build"]

[notify]
type            = "Function"
function_name   = "playbook:notify"
function_params = { message = "done" }
depends_on      = ["approve"]
skippable       = true
`;

/** Writes `text` to `dir/name` and returns the path. */
export async function writeRunbook(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}
