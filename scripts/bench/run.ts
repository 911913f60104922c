// What every benchmark script shares: its command-line numbers, and a run that cleans up after
// itself whatever happens (an error, Ctrl-C, a second Ctrl-C).
import { stopping } from './tickets/context.ts';

/** `--name=123` from the command line, else the fallback. */
export const arg = (name: string, fallback: number) =>
  Number(new RegExp(`--${name}=(\\d+)`).exec(process.argv.join(' '))?.[1] ?? fallback);

export type Cleanup = () => Promise<unknown>;

/**
 * Runs `main`, then the clean-ups it registered, last first. A signal aborts `stopping` (every
 * phase checks it between two steps) so the clean-ups run with nothing else writing; a second
 * signal, or clean-ups that take longer than `graceMs`, end the process at once.
 */
export async function runBench(
  cleanups: Cleanup[],
  main: () => Promise<void>,
  opts: { onStop: string; graceMs: number },
): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping.signal.aborted) process.exit(130);
      console.error(`\n${signal}: ${opts.onStop}`);
      process.exitCode = 130;
      stopping.abort(new Error(`stopped by ${signal}`));
      setTimeout(() => process.exit(130), opts.graceMs).unref();
    });
  }
  try {
    await main();
  } catch (err) {
    if (!stopping.signal.aborted) throw err;
    console.error(String(stopping.signal.reason));
  } finally {
    for (const c of cleanups.reverse()) await c().catch((err) => console.error('clean-up:', err));
  }
}
