// The lag phase of the reporting benchmark: start the processes, make an admin and its tickets,
// drive the changes, run the broker baseline at the same rate, print both side by side.
import { setTimeout as sleep } from 'node:timers/promises';
import { registerAdmin, stopping } from '../tickets/context.ts';
import type { Servers } from '../tickets/stack.ts';
import { brokerRoundTrip } from './broker-baseline.ts';
import { driveLag, startLagStack } from './lag.ts';
import { fmt, percentile, table, verdict } from './percentiles.ts';

const TICKETS = 200;
const TARGET_LAG_P99_MS = 100;

export async function lagPhase(
  servers: Servers,
  opts: {
    rate: number;
    seconds: number;
    cleanups: (() => Promise<unknown>)[];
    dropDb: (name: string) => Promise<unknown>;
  },
) {
  const stack = await startLagStack(servers, opts.dropDb);
  opts.cleanups.push(stack.stop);
  const { token } = await registerAdmin(stack.identity.url);
  const post = (path: string, body: unknown) =>
    fetch(`${stack.tickets.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const ids: string[] = [];
  // The tickets service learns of the new admin from identity's event: the first create waits for it.
  const deadline = performance.now() + 15_000;
  while (ids.length < TICKETS) {
    stopping.signal.throwIfAborted();
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, TICKETS - ids.length) }, (_, i) =>
        post('/api/tickets/', {
          title: `Lag ticket ${ids.length + i}`,
          description: 'bench',
          priority: 'medium',
        }),
      ),
    );
    for (const r of batch) {
      const body = (await r.json()) as { id?: string };
      if (r.status === 201 && body.id) ids.push(body.id);
      else if (performance.now() > deadline)
        throw new Error(`cannot create tickets: ${r.status} ${JSON.stringify(body)}`);
    }
    if (ids.length === 0) await sleep(100);
  }
  const stats = () =>
    fetch(`${stack.reporting.url}/api/reports/stats/`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.json() as Promise<{ totals: { opened: number } }>);
  const ready = performance.now() + 30_000;
  while ((await stats()).totals.opened < TICKETS) {
    if (performance.now() > ready) throw new Error('the reports never counted the pre-created tickets');
    await sleep(50);
  }

  console.log(
    `\nevent lag: ${opts.rate} status changes/s for ${opts.seconds} s on ${TICKETS} tickets (resolve, reopen, ...), ` +
      'POSTed straight to the tickets service (its main.ts, production mode); the stats of the reporting service ' +
      '(its main.ts, consuming from RabbitMQ) polled every 10 ms; lag = first poll counting the k-th answered change ' +
      '− that change’s answer (0 when already counted by then), and from its request as an upper bound',
  );
  const lag = await driveLag(stack, token, {
    rate: opts.rate,
    seconds: opts.seconds,
    tickets: ids,
    pollGapMs: 10,
    drainMs: 15_000,
  });
  const sample = {
    ticket: { id: ids[0], status: 'resolved', title: 'x'.repeat(40) },
    from: 'open',
    to: 'resolved',
  };
  const broker = await brokerRoundTrip(servers.amqpUrl, {
    rate: opts.rate,
    seconds: opts.seconds,
    payload: sample,
  });
  const cells = (t: number[]) => [
    fmt(percentile(t, 50)),
    fmt(percentile(t, 90)),
    fmt(percentile(t, 99)),
    fmt(Math.max(...t)),
  ];
  console.log(
    table(
      ['path', 'sent', 'seen', 'rate/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
      [
        ['change answered → in reports', lag.ok, lag.lag.length, fmt(lag.rate, 0), ...cells(lag.lag)],
        [
          'change sent → in reports',
          lag.ok,
          lag.lagFromSend.length,
          fmt(lag.rate, 0),
          ...cells(lag.lagFromSend),
        ],
        [
          'baseline: publish → consumer',
          broker.sent,
          broker.lag.length,
          fmt(opts.rate, 0),
          ...cells(broker.lag),
        ],
      ],
      [32, 8, 8, 8, 10, 10, 10, 10],
    ),
  );
  if (lag.failed) console.log(`${lag.failed} changes failed (first: ${lag.firstError})`);
  if (lag.unseen) console.log(`${lag.unseen} answered changes were never counted by the reports within 15 s`);
  console.log(
    `tickets service answers: p50 ${fmt(percentile(lag.answerMs, 50))} ms, p99 ${fmt(percentile(lag.answerMs, 99))} ms; ` +
      `stats poll: ${lag.pollMs.length} polls, p50 ${fmt(percentile(lag.pollMs, 50))} ms, p99 ${fmt(percentile(lag.pollMs, 99))} ms`,
  );
  const p99 = percentile(lag.lag, 99);
  const achieved = lag.rate >= opts.rate * 0.95;
  console.log(
    `target: lag p99 < ${TARGET_LAG_P99_MS} ms at ${opts.rate} changes/s: ${fmt(p99)} ms, ${verdict(p99 < TARGET_LAG_P99_MS && lag.unseen === 0)}` +
      (achieved ? '' : ` (the tickets service sustained only ${fmt(lag.rate, 0)} changes/s)`),
  );
}
