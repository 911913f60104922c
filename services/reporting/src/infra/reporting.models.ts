import { type Connection, Schema } from 'mongoose';

// The documents are written through the native collection (see the repositories): their cells
// and op markers are open-ended maps, which mongoose's casting would only get in the way of.
// Every lookup is by `_id` (equality or `$in`), the one index the MongoDB stand-in serves queries
// from; the `orgId` + `gen` indexes only serve rebuilds and clean-ups on a real MongoDB.
const open = (collection: string) => {
  const schema = new Schema({ _id: String, orgId: String }, { collection, strict: false, versionKey: false });
  return schema;
};

export function reportingModels(conn: Connection) {
  const settings = open('report_settings');
  const rawEvents = open('raw_events');
  rawEvents.index({ orgId: 1 });
  const facts = open('ticket_facts');
  facts.index({ orgId: 1, gen: 1 });
  facts.index({ 'pending.leaseUntil': 1 }, { sparse: true });
  const buckets = open('report_buckets');
  buckets.index({ orgId: 1, gen: 1 });
  return {
    settings: conn.model('ReportSettings', settings),
    rawEvents: conn.model('RawEvent', rawEvents),
    facts: conn.model('TicketFacts', facts),
    buckets: conn.model('ReportBucket', buckets),
  };
}
export type ReportingModels = ReturnType<typeof reportingModels>;

export const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;
