import { connectMongo } from '@helpdesk/kit';
import type { Connection } from 'mongoose';
import type { CategoryRepository, TicketRepository } from '../domain/ports.ts';
import { categoryModel } from './category.model.ts';
import { createCategoryRepository } from './category.repository.ts';
import { knownUserModel } from './known-user.model.ts';
import { counterModel, ticketModel } from './ticket.model.ts';
import { createTicketRepository } from './ticket.repository.ts';
import { createUserDirectory, type WritableUserDirectory } from './user-directory.ts';

export interface Store {
  conn: Connection;
  models: {
    tickets: ReturnType<typeof ticketModel>;
    categories: ReturnType<typeof categoryModel>;
    knownUsers: ReturnType<typeof knownUserModel>;
  };
  tickets: TicketRepository;
  categories: CategoryRepository;
  users: WritableUserDirectory;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Connects to the tickets database and makes sure its indexes exist before anything is served. */
export async function openStore(mongoUrl: string): Promise<Store> {
  const { conn, ping, close } = await connectMongo(mongoUrl, 'tickets');
  const tickets = ticketModel(conn);
  const counters = counterModel(conn);
  const categories = categoryModel(conn);
  const knownUsers = knownUserModel(conn);
  for (const model of [tickets, counters, categories, knownUsers]) {
    await model.createCollection();
    await model.createIndexes();
  }
  return {
    conn,
    models: { tickets, categories, knownUsers },
    tickets: createTicketRepository(tickets, counters),
    categories: createCategoryRepository(categories),
    users: createUserDirectory(knownUsers),
    ping,
    close,
  };
}
