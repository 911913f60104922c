import type { Connection } from 'mongoose';
import type { AssignmentRuleRepository } from '../domain/assignment-rule.ts';

export async function createAssignmentRuleRepository(_conn: Connection): Promise<AssignmentRuleRepository> {
  return {};
}
