// The benchmark's baseline workflow: it takes the same signal-with-start and does nothing but wait,
// so what a start of it costs is the Temporal server's and the SDK's own share.
import {
  condition,
  defineSignal,
  setHandler,
} from '../../../services/sla/node_modules/@temporalio/workflow/lib/index.js';

export const poke = defineSignal<[unknown]>('ticketChanged');

export async function noopWorkflow(): Promise<void> {
  let done = false;
  setHandler(poke, () => {
    done = false;
  });
  await condition(() => done, '4 hours');
}
