import { execFileSync } from 'node:child_process';
import { hadolintPath } from './tools.ts';

/** hadolint's findings on a Dockerfile given as text; an empty list means it passes. */
export function lintDockerfile(text: string): string[] {
  try {
    // Any finding fails, down to style; a rule we disagree with is ignored in the Dockerfile itself,
    // next to the line, with the reason.
    execFileSync(hadolintPath(), ['--no-color', '--failure-threshold', 'style', '-'], {
      input: text,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return [];
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string; message: string };
    if (e.status === 1 && e.stdout) return e.stdout.trim().split('\n');
    throw new Error(`hadolint did not run: ${e.stderr || e.message}`);
  }
}
