/** Auto-assignment rules, evaluated in order on ticket creation. */
// biome-ignore lint/suspicious/noEmptyInterface: filled in with the rules
export interface AssignmentRuleRepository {}
