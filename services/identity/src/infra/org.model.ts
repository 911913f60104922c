import { type Connection, Schema } from 'mongoose';

export interface OrgDoc {
  _id: string;
  name: string;
  createdAt: Date;
}

const OrgSchema = new Schema<OrgDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'orgs', versionKey: false },
);

export const orgModel = (conn: Connection) => conn.model<OrgDoc>('Org', OrgSchema);
export type OrgModel = ReturnType<typeof orgModel>;
