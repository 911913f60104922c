import { connectMongo } from '@helpdesk/kit';
import type { Connection } from 'mongoose';
import type { CategoryViews, EffectLog, TicketViews } from '../use-cases/ports.ts';
import { categoryViewModel } from './category-view.model.ts';
import { createCategoryViews } from './category-view.repository.ts';
import { effectModel, streamModel } from './effect.model.ts';
import { createEffectLog } from './effect.repository.ts';
import { ticketViewModel } from './ticket-view.model.ts';
import { createTicketViews } from './ticket-view.repository.ts';

export interface Store {
  conn: Connection;
  models: { effects: ReturnType<typeof effectModel> };
  tickets: TicketViews;
  categories: CategoryViews;
  effects: EffectLog;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Connects to the sla database and makes sure its indexes exist before anything is served. */
export async function openStore(mongoUrl: string): Promise<Store> {
  const { conn, ping, close } = await connectMongo(mongoUrl, 'sla');
  const tickets = ticketViewModel(conn);
  const categories = categoryViewModel(conn);
  const effects = effectModel(conn);
  const streams = streamModel(conn);
  try {
    for (const model of [tickets, categories, effects, streams]) {
      await model.createCollection();
      await model.createIndexes();
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    conn,
    models: { effects },
    tickets: createTicketViews(tickets),
    categories: createCategoryViews(categories),
    effects: createEffectLog(effects, streams),
    ping,
    close,
  };
}
