// A Temporal dev server of the benchmark's own: in memory, fresh, on free ports. The shared one of
// scripts/infra.sh has served every test run since it started, and its in-memory database grows
// with each; a start there costs the server measurably more CPU than on a fresh one (about 16 vs
// 10 ms measured), so it would measure the test history rather than the SLA workflows.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../libs/testkit/src/service-process.ts';
import { Connection } from './temporal.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Written by scripts/infra.sh once it installed the CLI: `<temporal binary>\t<test server binary>`. */
const STAMP = `${ROOT}.tools/venv/.helpdesk-temporal`;
const SEARCH_ATTRIBUTES = ['SlaOrgId=Keyword', 'SlaNextDue=Datetime', 'SlaLevel=Int'];

export interface BenchTemporal {
  address: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startBenchTemporal(namespace: string): Promise<BenchTemporal> {
  const binary = readFileSync(STAMP, 'utf8').split('\t')[0]?.trim();
  if (!binary) throw new Error(`no Temporal CLI recorded in ${STAMP}: run scripts/infra.sh up --test first`);
  const [port, uiPort] = [await freePort(), await freePort()];
  const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port)];
  args.push('--ui-port', String(uiPort), '--namespace', namespace, '--log-level', 'warn');
  for (const sa of SEARCH_ATTRIBUTES) args.push('--search-attribute', sa);
  // Server settings under test, e.g. BENCH_TEMPORAL_ARGS="--dynamic-config-value matching.numTaskqueueReadPartitions=1".
  args.push(...(process.env.BENCH_TEMPORAL_ARGS ?? '').split(/\s+/).filter(Boolean));
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const address = `127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the Temporal dev server exited: ${stderr}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
      } finally {
        await connection.close();
      }
      return { address, pid: child.pid ?? 0, stop };
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the Temporal dev server did not answer within 60 s: ${err}\n${stderr}`);
      }
      await sleep(250);
    }
  }
}
