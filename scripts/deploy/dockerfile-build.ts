import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ROOT } from './tools.ts';

export interface BuildStep {
  instruction: 'COPY' | 'RUN';
  args: string;
}

/**
 * The COPY and RUN steps of the Dockerfile's first stage (the build), continuation lines joined.
 * CI replays them without Docker, so the image's install and bundle steps are the commands that
 * are tested, not a copy of them.
 */
export function buildStageSteps(dockerfile: string): BuildStep[] {
  const lines = dockerfile.replace(/\\\r?\n/g, ' ').split('\n');
  const steps: BuildStep[] = [];
  let stages = 0;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [word = '', ...rest] = line.split(/\s+/);
    const instruction = word.toUpperCase();
    if (instruction === 'FROM' && ++stages > 1) break;
    if (instruction === 'COPY' || instruction === 'RUN') steps.push({ instruction, args: rest.join(' ') });
  }
  return steps;
}

/** The global install of pnpm itself: the CI machine brings its own pnpm (scripts/toolchain.sh). */
const isToolInstall = (step: BuildStep) =>
  step.instruction === 'RUN' && /^npm install -g pnpm@/.test(step.args);

/**
 * Replays the build stage for one service in `dir`, as `docker build --build-arg SERVICE=<service>`
 * would in /app: COPY from the repository, RUN through bash with SERVICE set.
 */
export function replayBuildStage(dockerfile: string, service: string, dir: string): void {
  for (const step of buildStageSteps(dockerfile)) {
    if (isToolInstall(step)) continue;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's build argument
    const args = step.args.replaceAll('${SERVICE}', service);
    if (step.instruction === 'COPY') {
      if (args.startsWith('--')) throw new Error(`COPY flags are not replayed: ${step.args}`);
      const parts = args.split(/\s+/);
      const dest = parts.pop() ?? '';
      for (const source of parts) {
        const from = join(ROOT, source);
        if (!existsSync(from)) throw new Error(`COPY ${source}: not in the repository`);
        // Docker copies a directory's contents to dest, and a file into dest when dest ends in "/".
        const intoDir = !statSync(from).isDirectory() && dest.endsWith('/');
        const to = intoDir ? join(dir, dest, basename(source)) : join(dir, dest);
        mkdirSync(dirname(to), { recursive: true });
        cpSync(from, to, { recursive: true, filter: (path) => !/node_modules|\.test\.ts$/.test(path) });
      }
    } else {
      execFileSync('bash', ['-o', 'pipefail', '-c', args], {
        cwd: dir,
        env: { ...process.env, SERVICE: service, npm_config_prefer_offline: 'true', CI: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
    }
  }
}
