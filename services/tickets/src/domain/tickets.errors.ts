import type { TicketStatus } from '@helpdesk/contracts';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@helpdesk/kit';

export class TicketNotFoundError extends NotFoundError {
  constructor() {
    super('TICKET_NOT_FOUND', 'No such ticket.');
  }
}

export class CategoryNotFoundError extends NotFoundError {
  constructor() {
    super('CATEGORY_NOT_FOUND', 'No such category.');
  }
}

export class CommentNotFoundError extends NotFoundError {
  constructor() {
    super('COMMENT_NOT_FOUND', 'No such comment on this ticket.');
  }
}

export class IllegalTransitionError extends ConflictError {
  constructor(from: TicketStatus, to: TicketStatus, allowed: readonly TicketStatus[]) {
    super(
      'TICKET_ILLEGAL_TRANSITION',
      `A ticket cannot go from ${from} to ${to}; allowed: ${allowed.length ? allowed.join(', ') : 'none (final)'}.`,
      { from, to, allowed },
    );
  }
}

/** The `If-Match` version is not the stored one. */
export class StaleVersionError extends AppError {
  constructor(current: number) {
    super(
      'TICKET_VERSION_STALE',
      412,
      `The ticket changed since you read it; it is now at version ${current}.`,
      {
        extra: { currentVersion: current },
        headers: { etag: `"${current}"` },
      },
    );
  }
}

export class TicketForbiddenError extends ForbiddenError {
  constructor(message: string) {
    super('TICKET_FORBIDDEN', message);
  }
}

/** Field-level problems found by a use case (not by the schema), answered like validation errors. */
export const invalidField = (path: string, message: string) => new ValidationError([{ path, message }]);
