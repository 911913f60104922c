import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Packages that are only for tests and must never reach an image. */
const TEST_ONLY = /^(vitest|@vitest\+|testcontainers|@testcontainers\+|@temporalio\+testing|playwright)/;

/**
 * Checks the /app tree a replayed build stage produced for one service: no test-only packages, the
 * sla workflow bundle present, and the service's entry point loading every module it imports. The
 * entry is started with an invalid PORT: a complete tree stops at config validation (exit 1,
 * "invalid configuration"); a missing package stops earlier with ERR_MODULE_NOT_FOUND.
 */
export function checkImageTree(dir: string, service: string): string[] {
  const problems: string[] = [];
  const store = join(dir, 'node_modules', '.pnpm');
  if (!existsSync(store)) problems.push('no node_modules/.pnpm: the install step did not run');
  else {
    for (const entry of readdirSync(store))
      if (TEST_ONLY.test(entry)) problems.push(`test-only package ${entry} installed`);
  }
  if (service === 'sla') {
    const bundle = join(dir, 'services', 'sla', 'workflow-bundle.js');
    if (!existsSync(bundle)) problems.push('services/sla/workflow-bundle.js is missing');
    else if (!readFileSync(bundle, 'utf8').includes('ticketSlaWorkflow')) {
      problems.push('services/sla/workflow-bundle.js does not contain ticketSlaWorkflow');
    }
  }
  const start = spawnSync(process.execPath, ['src/main.ts'], {
    cwd: join(dir, 'services', service),
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: 'not-a-port' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const output = `${start.stdout}${start.stderr}`;
  if (!/invalid configuration/.test(output) || !/PORT/.test(output)) {
    problems.push(
      `src/main.ts did not stop at config validation (exit ${start.status}): ${output.slice(0, 600)}`,
    );
  }
  return problems;
}
