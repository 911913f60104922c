import { Connection } from '@temporalio/client';
import { waitFor } from '../wait-for.ts';

/** Waits until the Temporal frontend answers for our namespace (a fresh dev server needs a moment). */
export async function assertTemporalReady(
  address: string,
  namespace: string,
  origin: string,
  timeoutMs: number,
) {
  try {
    await waitFor(
      async () => {
        const connection = await Connection.connect({ address, connectTimeout: 2_000 });
        try {
          await connection.workflowService.describeNamespace({ namespace });
          return true;
        } finally {
          await connection.close();
        }
      },
      { timeoutMs, intervalMs: 250, description: `namespace ${namespace}` },
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Temporal at ${address} (${origin}) does not serve namespace "${namespace}": ${reason}`);
  }
}
