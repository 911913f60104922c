import { type Connection, Schema } from 'mongoose';

export interface CategoryDoc {
  _id: string;
  orgId: string;
  name: string;
  nameKey: string;
  description: string;
  defaultSlaHours: number | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

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
  },
  { collection: 'categories', versionKey: false },
);
// Names are unique per org, compared case-insensitively.
CategorySchema.index({ orgId: 1, nameKey: 1 }, { unique: true, name: 'org_name' });

export const categoryModel = (conn: Connection) => conn.model<CategoryDoc>('Category', CategorySchema);
export type CategoryModel = ReturnType<typeof categoryModel>;
