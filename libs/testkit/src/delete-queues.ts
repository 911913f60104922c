import amqp from 'amqplib';

/**
 * Deletes durable queues a test made (and their `.dlq`), so test runs leave nothing bound to the
 * events exchange that would collect every later event. Missing queues are fine.
 */
export async function deleteQueues(amqpUrl: string, names: readonly string[]): Promise<void> {
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    for (const name of names.flatMap((n) => [n, `${n}.dlq`])) await channel.deleteQueue(name);
    await channel.close();
  } finally {
    await connection.close();
  }
}
