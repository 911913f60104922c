import { type Connection, Schema } from 'mongoose';

/** The tickets service's categories, from `category.*` events: each one's default SLA hours. */
export interface CategoryViewDoc {
  _id: string;
  orgId: string;
  name: string;
  defaultSlaHours: number | null;
  active: boolean;
  /** The category's version of the last event applied. */
  sequence: number;
}

const CategoryViewSchema = new Schema<CategoryViewDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    name: { type: String, required: true },
    defaultSlaHours: { type: Number, default: null },
    active: { type: Boolean, required: true },
    sequence: { type: Number, required: true },
  },
  { collection: 'sla_categories', versionKey: false },
);

export const categoryViewModel = (conn: Connection) =>
  conn.model<CategoryViewDoc>('SlaCategory', CategoryViewSchema);
export type CategoryViewModel = ReturnType<typeof categoryViewModel>;
