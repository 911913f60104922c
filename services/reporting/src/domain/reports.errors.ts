import { AppError, ConflictError, ForbiddenError } from '@helpdesk/kit';

/** A report query the service cannot answer as asked (bad range, zone, grouping). */
export class ReportQueryError extends AppError {
  constructor(code: string, message: string, field: string) {
    super(code, 400, message, { extra: { errors: [{ path: field, message }] } });
  }
}

export class RebuildInProgressError extends ConflictError {
  constructor(orgId: string) {
    super(
      'REPORT_REBUILD_IN_PROGRESS',
      `A rebuild of org ${orgId}'s reports is already running; try again once it ends.`,
    );
  }
}

export class ReportsForbiddenError extends ForbiddenError {
  constructor() {
    super('FORBIDDEN', 'Reports are for admins only.');
  }
}
