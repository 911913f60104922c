// The benchmark's table and targets (scripts/bench/gateway.bench.ts measures, this prints).

export interface Measured {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time the server in front of the client spent per request, in microseconds. */
  cpuPerRequest: number;
}

/** The run with the median throughput, latencies included, so that a row is one real run. */
export function median(runs: Measured[]): Measured {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor(sorted.length / 2)] as Measured;
}

function medianOf(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export function report(
  names: string[],
  cell: (name: string, connections: number) => Measured,
  perRound: (name: string, connections: number) => Measured[],
  realIdentity: boolean,
) {
  const [direct, bare, authed, open] = names as [string, string, string, string];
  // Ratios compare runs of the same round, taken seconds apart, and report the median of those
  // paired figures: drift in the machine's other load cancels out of a pair.
  const paired = (a: string, b: string, connections: number, f: (x: Measured, y: Measured) => number) => {
    const xs = perRound(a, connections);
    const ys = perRound(b, connections);
    return medianOf(xs.map((x, i) => f(x, ys[i] as Measured)));
  };
  const ratio = (a: string, b: string) => paired(a, b, 50, (x, y) => x.rps / y.rps);
  const widths = [22, 9, 8, 8, 10, 8, 8, 10, 9, 12, 6];
  const line = (cells: Array<string | number>) =>
    cells
      .map((c, i) => (i === 0 ? String(c).padEnd(widths[0] ?? 0) : String(c).padStart(widths[i] ?? 0)))
      .join('  ');
  console.log(
    line([
      '',
      'req/s @1',
      'p50 ms',
      'p99 ms',
      'req/s @50',
      'p50 ms',
      'p99 ms',
      'vs direct',
      'vs proxy',
      'CPU us/req',
      'errors',
    ]),
  );
  for (const name of names) {
    const [one, fifty] = [cell(name, 1), cell(name, 50)];
    console.log(
      line([
        name,
        one.rps.toFixed(0),
        one.p50.toFixed(3),
        one.p99.toFixed(3),
        fifty.rps.toFixed(0),
        fifty.p50.toFixed(3),
        fifty.p99.toFixed(3),
        ratio(name, direct).toFixed(2),
        ratio(name, bare).toFixed(2),
        fifty.cpuPerRequest.toFixed(0),
        one.errors + fifty.errors,
      ]),
    );
  }
  const p50Over = paired(authed, direct, 1, (x, y) => x.p50 - y.p50);
  const p99Over = paired(authed, direct, 1, (x, y) => x.p99 - y.p99);
  const targets: Array<[string, boolean, string]> = [
    [
      'gateway (token) throughput >= 0.8 x bare proxy @50',
      ratio(authed, bare) >= 0.8,
      ratio(authed, bare).toFixed(2),
    ],
    ['unloaded p50 overhead <= 0.5 ms over direct @1', p50Over <= 0.5, `${p50Over.toFixed(3)} ms`],
    ['unloaded p99 overhead <= 3 ms over direct @1', p99Over <= 3, `${p99Over.toFixed(3)} ms`],
    [
      'authenticated >= 0.8 x unauthenticated @50',
      ratio(authed, open) >= 0.8,
      ratio(authed, open).toFixed(2),
    ],
  ];
  // identity has no public route with the profile's handler (which reads MongoDB), so there the
  // pair compares two handlers, not the token check; the default upstream answers both alike.
  if (realIdentity) targets.pop();
  // A row with failed requests measured something else (an error path): no target passes on it.
  const clean = names.every((n) => [1, 50].every((c) => perRound(n, c).every((m) => m.errors === 0)));
  console.log('');
  for (const [what, ok, value] of targets) {
    console.log(
      `${ok && clean && !value.includes('NaN') && !value.includes('Infinity') ? 'PASS' : 'MISS'}  ${what}: ${value}`,
    );
  }
  if (!clean) console.log('MISS  every request answered 2xx (see the errors column)');
  if (realIdentity)
    console.log('n/a   authenticated vs unauthenticated: two identity handlers; see the default run');
  console.log('ratios and overheads: median over rounds of the figure paired within a round');
  console.log('CPU us/req: CPU time of the process the client talks to, per request (the upstream excluded)');
}
