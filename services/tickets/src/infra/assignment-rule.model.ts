import { type Connection, Schema } from 'mongoose';

export interface AssignmentRuleDoc {
  _id: string;
  orgId: string;
  name: string;
  position: number;
  active: boolean;
  conditions: {
    priorities: string[] | null;
    categoryIds: string[] | null;
    /** A condition of libs/contracts/src/conditions.ts, stored as given (its keys never start with `$`). */
    condition: unknown;
  };
  strategy: { type: 'agent'; agentId: string } | { type: 'round_robin' | 'least_loaded'; agentIds: string[] };
  /** The round-robin cursor: only ever advanced by `$inc`, so it survives restarts and races. */
  turns: number;
  createdAt: Date;
  updatedAt: Date;
}

const AssignmentRuleSchema = new Schema<AssignmentRuleDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    name: { type: String, required: true },
    position: { type: Number, required: true },
    active: { type: Boolean, required: true },
    conditions: { type: Schema.Types.Mixed, required: true },
    strategy: { type: Schema.Types.Mixed, required: true },
    turns: { type: Number, default: 0 },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'assignment_rules', versionKey: false, minimize: false },
);
// Evaluation and listing order; `_id` (a UUIDv7) breaks ties in creation order.
AssignmentRuleSchema.index({ orgId: 1, position: 1, _id: 1 }, { name: 'org_position' });

export const assignmentRuleModel = (conn: Connection) =>
  conn.model<AssignmentRuleDoc>('AssignmentRule', AssignmentRuleSchema);
export type AssignmentRuleModel = ReturnType<typeof assignmentRuleModel>;
