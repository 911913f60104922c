import { outboxPlugin, type WithOutbox } from '@helpdesk/messaging';
import { type Connection, Schema } from 'mongoose';

export interface CategoryDoc extends WithOutbox {
  _id: string;
  orgId: string;
  name: string;
  /** The name as compared: trimmed, NFC, lower case. */
  nameKey: string;
  description: string;
  defaultSlaHours: number | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** Grows by one per change; also the `sequence` of the change's event. */
  version: number;
}

/**
 * A category carries its pending `category.*` events in its own outbox, so a change and its event
 * are one atomic write (DESIGN.md section 5).
 */
const CategorySchema = new Schema<CategoryDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    name: { type: String, required: true },
    nameKey: { type: String, required: true },
    description: { type: String, default: '' },
    defaultSlaHours: { type: Number, default: null },
    active: { type: Boolean, default: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    version: { type: Number, required: true },
  },
  { collection: 'categories', versionKey: false },
);
CategorySchema.plugin(outboxPlugin);
// Names are unique per org, compared case-insensitively; lists page through the same order.
CategorySchema.index({ orgId: 1, nameKey: 1 }, { unique: true, name: 'org_name' });

export const categoryModel = (conn: Connection) => conn.model<CategoryDoc>('Category', CategorySchema);
export type CategoryModel = ReturnType<typeof categoryModel>;
