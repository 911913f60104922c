import { UserBusyError } from './identity.errors.ts';

/**
 * Runs read-decide-write until the conditional write lands. `attempt` returns null when the
 * record changed between its read and its write; after `tries` such losses we give up.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T | null>, tries = 5): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const result = await attempt();
    if (result !== null) return result;
  }
  throw new UserBusyError();
}
