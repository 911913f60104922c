// Writes the sla service's Temporal workflow bundle to a file, so that a worker loads it at start
// instead of bundling the workflow code itself (seconds of CPU and a writable cache per start).
// The Dockerfile runs it; the worker reads the file named by SLA_WORKFLOW_BUNDLE (docs/operations.md).
//   node scripts/deploy/bundle-sla-workflows.ts [out-file]   (default services/sla/workflow-bundle.js)
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { bundleSlaWorkflows } from '../../services/sla/src/worker.ts';

const out = resolve(process.argv[2] ?? 'services/sla/workflow-bundle.js');
const bundle = await bundleSlaWorkflows();
await mkdir(dirname(out), { recursive: true });
await writeFile(out, bundle.code);
process.stdout.write(`wrote the SLA workflow bundle (${bundle.code.length} bytes) to ${out}\n`);
