import { describe, expect, it } from 'vitest';
import type { ReportingDeps } from './deps.ts';
import { readWithSettings } from './known-settings.ts';
import type { OrgSettings, SettingsStore } from './ports.ts';

const settings = (gen: number, tz = 'UTC'): OrgSettings => ({
  orgId: 'o',
  tz,
  gen,
  lastGen: gen,
  building: null,
  rev: 1,
});

/** A settings store whose `get` answers only when the test says so. */
function slowStore(answer: () => OrgSettings) {
  const calls: (() => void)[] = [];
  const store = {
    get: () =>
      new Promise<OrgSettings>((resolve) => {
        calls.push(() => resolve(answer()));
      }),
  } as unknown as SettingsStore;
  return {
    deps: { settings: store } as Pick<ReportingDeps, 'settings'>,
    answerAll: () => {
      for (const f of calls.splice(0)) f();
    },
  };
}

describe('readWithSettings', () => {
  it('when the settings were seen before, then the read starts with them before the settings arrive and runs once', async () => {
    let current = settings(1);
    const { deps, answerAll } = slowStore(() => current);
    const reads: number[] = [];
    const read = async (s: OrgSettings) => {
      reads.push(s.gen);
      return `gen ${s.gen}`;
    };
    const first = readWithSettings(deps, 'o', read);
    await Promise.resolve();
    expect(reads).toEqual([]);
    answerAll();
    expect((await first).value).toBe('gen 1');

    reads.length = 0;
    const second = readWithSettings(deps, 'o', read);
    await Promise.resolve();
    expect(reads).toEqual([1]);
    answerAll();
    expect(await second).toEqual({ settings: current, value: 'gen 1' });
    expect(reads).toEqual([1]);

    current = settings(2);
    reads.length = 0;
    const moved = readWithSettings(deps, 'o', read);
    answerAll();
    expect((await moved).value).toBe('gen 2');
    expect(reads).toEqual([1, 2]);
  });

  it('when the zone changed or the guessed read failed, then it reads again with the fresh settings', async () => {
    let current = settings(3, 'Europe/Paris');
    const { deps, answerAll } = slowStore(() => current);
    const read = async (s: OrgSettings) => {
      if (s.tz === 'Europe/Paris' && current.tz !== 'Europe/Paris') throw new Error('zone no longer valid');
      return s.tz;
    };
    const warm = readWithSettings(deps, 'o', read);
    answerAll();
    await warm;

    current = settings(3, 'Asia/Tokyo');
    const changed = readWithSettings(deps, 'o', read);
    answerAll();
    expect((await changed).value).toBe('Asia/Tokyo');
  });

  it('when the fresh read fails, then its error is the answer', async () => {
    const { deps, answerAll } = slowStore(() => settings(1));
    const failing = readWithSettings(deps, 'o', async () => {
      throw new Error('REPORT_TZ_INVALID');
    });
    answerAll();
    await expect(failing).rejects.toThrow('REPORT_TZ_INVALID');
  });
});
