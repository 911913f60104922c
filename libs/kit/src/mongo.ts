import mongoose, { type Connection } from 'mongoose';

/** The database named in a MongoDB URL, else `fallback` (the service's own name). */
export function databaseName(mongoUrl: string, fallback: string): string {
  const path = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]*)/.exec(mongoUrl)?.[1];
  return path ? decodeURIComponent(path) : fallback;
}

export interface MongoConnection {
  conn: Connection;
  /** Fails unless the server answers; for readiness. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens a service's connection to its own database (`fallbackDb` unless the URL names one).
 * Indexes are not built behind the caller's back: each service builds its own before it serves,
 * so a failure stops the start instead of surfacing later.
 */
export async function connectMongo(mongoUrl: string, fallbackDb: string): Promise<MongoConnection> {
  const conn = await mongoose
    .createConnection(mongoUrl, {
      dbName: databaseName(mongoUrl, fallbackDb),
      autoIndex: false,
      serverSelectionTimeoutMS: 10_000,
    })
    .asPromise();
  return {
    conn,
    async ping() {
      const db = conn.db;
      if (!db) throw new Error('not connected');
      await db.admin().ping();
    },
    close: () => conn.close(),
  };
}
