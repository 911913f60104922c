/**
 * What the Dockerfile must say beyond hadolint's rules: a Node 24 slim base, the build stage's
 * install through scripts/deploy/install-prod.sh (the command CI replays), and a final stage that
 * runs as a numeric non-root user and starts `node` directly in exec form (so node is PID 1 and
 * gets SIGTERM itself).
 */
export function checkDockerfile(text: string): string[] {
  const problems: string[] = [];
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args = new Map<string, string>();
  for (const l of lines) {
    const m = /^ARG\s+(\w+)=(\S+)/i.exec(l);
    if (m?.[1] && m[2]) args.set(m[1], m[2]);
  }
  const stages: string[][] = [];
  for (const l of lines) {
    if (/^FROM\s/i.test(l)) stages.push([]);
    stages[stages.length - 1]?.push(l);
  }
  if (stages.length < 2) problems.push('not a multi-stage build');
  for (const stage of stages) {
    const from = (stage[0] ?? '').split(/\s+/)[1] ?? '';
    const image = from.replace(/^\$\{(\w+)\}$/, (_, name) => args.get(name) ?? from);
    if (!/^node:24(\.[\d.]+)?-[a-z]+-slim$|^node:24(\.[\d.]+)?-slim$/.test(image)) {
      problems.push(`stage FROM ${image}: not a Node 24 slim image`);
    }
  }
  if (!stages[0]?.some((l) => /^RUN\s+scripts\/deploy\/install-prod\.sh\b/.test(l))) {
    problems.push('the build stage does not install with scripts/deploy/install-prod.sh');
  }
  const final = stages[stages.length - 1] ?? [];
  const user = final
    .filter((l) => /^USER\s/i.test(l))
    .pop()
    ?.split(/\s+/)[1];
  if (!user) problems.push('the final stage sets no USER (it would run as root)');
  else if (!/^[1-9]\d*(:\d+)?$/.test(user)) problems.push(`USER ${user}: not a numeric non-root uid`);
  const cmd = final.filter((l) => /^(CMD|ENTRYPOINT)\s/i.test(l)).pop() ?? '';
  const form = cmd.replace(/^(CMD|ENTRYPOINT)\s+/i, '');
  let argv: unknown;
  try {
    argv = JSON.parse(form);
  } catch {
    argv = undefined;
  }
  if (!Array.isArray(argv)) problems.push('the final stage does not start in exec form (["node", ...])');
  else if (argv[0] !== 'node') problems.push(`the final stage starts ${argv[0]}, not node`);
  if (lines.some((l) => /^ADD\s/i.test(l))) problems.push('uses ADD; COPY says what it does');
  return problems;
}
