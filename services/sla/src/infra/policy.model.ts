import { type Connection, Schema } from 'mongoose';
import type { SlaPolicy } from '../domain/policy-config.ts';

/** An org's SLA policy (`/api/sla/policies/`); `version` grows with every change. */
export type PolicyDoc = Omit<SlaPolicy, 'id'> & { _id: string };

const PolicySchema = new Schema<PolicyDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    name: { type: String, required: true },
    position: { type: Number, required: true },
    active: { type: Boolean, required: true },
    // Validated by the API's schemas before they get here; stored as given.
    conditions: { type: Schema.Types.Mixed, required: true },
    clocks: { type: Schema.Types.Mixed, required: true },
    escalations: { type: Schema.Types.Mixed, required: true },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'sla_policies', versionKey: false, minimize: false },
);
PolicySchema.index({ orgId: 1, position: 1, createdAt: 1 }, { name: 'org_position' });

export const policyModel = (conn: Connection) => conn.model<PolicyDoc>('SlaPolicy', PolicySchema);
export type PolicyModel = ReturnType<typeof policyModel>;
