const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90s`, `15m`, `12h`, `14d` or a bare number of seconds → seconds; anything else → undefined. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([smhd]?)\s*$/.exec(text);
  if (!m?.[1]) return undefined;
  return Number(m[1]) * (UNIT_SECONDS[m[2] || 's'] ?? 1);
}
