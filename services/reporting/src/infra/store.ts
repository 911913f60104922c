import { connectMongo } from '@helpdesk/kit';
import type { Connection } from 'mongoose';
import type { ReportingDeps } from '../use-cases/deps.ts';
import { createBucketStore } from './buckets.repository.ts';
import { createFactStore } from './facts.repository.ts';
import { createRawEventStore } from './raw-events.repository.ts';
import { reportingModels } from './reporting.models.ts';
import { createSettingsStore } from './settings.repository.ts';

export interface Store extends Pick<ReportingDeps, 'rawEvents' | 'facts' | 'buckets' | 'settings'> {
  conn: Connection;
  models: ReturnType<typeof reportingModels>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Connects to the reporting database and makes sure its collections and indexes exist. */
export async function openStore(mongoUrl: string): Promise<Store> {
  const { conn, ping, close } = await connectMongo(mongoUrl, 'reporting');
  const models = reportingModels(conn);
  try {
    for (const model of Object.values(models)) {
      await model.createCollection();
      await model.createIndexes();
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    conn,
    models,
    rawEvents: createRawEventStore(models.rawEvents.collection),
    facts: createFactStore(models.facts.collection),
    buckets: createBucketStore(models.buckets.collection),
    settings: createSettingsStore(models.settings.collection),
    ping,
    close,
  };
}
