import { createRequire } from 'node:module';
import type { History } from '@temporalio/worker';

/*
 * History <-> proto3 JSON (the format of `temporal workflow show --output json`), with the SDK's
 * own converter from @temporalio/common (a dev dependency). It is a CommonJS module outside the
 * package's exports map, so it is loaded by path.
 */
const protoUtils = createRequire(import.meta.url)('@temporalio/common/lib/proto-utils') as {
  historyToJSON(history: History): string;
  historyFromJSON(json: unknown): History;
};

export const historyToJSON = (history: History): string => protoUtils.historyToJSON(history);
export const historyFromJSON = (json: unknown): History => protoUtils.historyFromJSON(json);
