#!/usr/bin/env node
// `gt-consolidate-task`: one step of a sharded run on AWS Batch, from the environment (see src/scale-out/batch-task.ts).
import { runBatchTask } from '../scale-out/batch-task.js';

process.exitCode = await runBatchTask(process.env, process.stdout, process.stderr);
