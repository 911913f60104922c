import { type Connection, Schema } from 'mongoose';

export interface SigningKeyDoc {
  _id: string;
  alg: 'EdDSA';
  publicJwk: Record<string, unknown>;
  privateJwk: Record<string, unknown>;
  createdAt: Date;
  retiredAt: Date | null;
  removeAfter: Date | null;
}

const SigningKeySchema = new Schema<SigningKeyDoc>(
  {
    _id: { type: String, required: true },
    alg: { type: String, required: true },
    publicJwk: { type: Schema.Types.Mixed, required: true },
    privateJwk: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    retiredAt: { type: Date, default: null },
    removeAfter: { type: Date, default: null },
  },
  { collection: 'signing_keys', versionKey: false, minimize: false },
);

export const signingKeyModel = (conn: Connection) =>
  conn.model<SigningKeyDoc>('SigningKey', SigningKeySchema);
export type SigningKeyModel = ReturnType<typeof signingKeyModel>;
