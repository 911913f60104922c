// Inspect or replay a consumer's dead-letter queue.
//   AMQP_URL=amqp://... node libs/messaging/src/cli/dlq.ts list <queue> [--limit=50]
//   AMQP_URL=amqp://... node libs/messaging/src/cli/dlq.ts replay <queue> [--limit=N]
// <queue> is the consumer's queue (e.g. reporting.events), not the `.dlq` one.
import { parseArgs } from 'node:util';
import { connect } from 'amqplib';
import { peekDeadLetters, replayDeadLetters } from '../dead-letters.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { limit: { type: 'string' } },
});
const [command, queue] = positionals;
const url = process.env.AMQP_URL;
if (!url || !queue || (command !== 'list' && command !== 'replay')) {
  console.error('usage: AMQP_URL=... dlq.ts list|replay <queue> [--limit=N]');
  process.exit(2);
}
const limit = values.limit === undefined ? undefined : Number(values.limit);

const conn = await connect(url, { clientProperties: { connection_name: 'dlq-cli' } });
conn.on('error', () => {});
try {
  if (command === 'list') {
    for (const letter of await peekDeadLetters(conn, queue, limit)) console.log(JSON.stringify(letter));
  } else {
    console.log(`replayed ${await replayDeadLetters(conn, queue, limit)} message(s) to ${queue}`);
  }
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await conn.close().catch(() => {});
}
