import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
  UnauthorizedError,
} from '@helpdesk/kit';

/** Same answer for an unknown login and a wrong password, so nobody can probe for accounts. */
export class InvalidCredentialsError extends UnauthorizedError {
  constructor() {
    super('AUTH_INVALID_CREDENTIALS', 'No active account matches these credentials.');
  }
}

export class LoginThrottledError extends TooManyRequestsError {
  constructor(retryAfterSeconds: number) {
    super('AUTH_THROTTLED', 'Too many failed logins; try again later.', retryAfterSeconds);
  }
}

export class RefreshTokenInvalidError extends UnauthorizedError {
  constructor() {
    super('AUTH_REFRESH_INVALID', 'The refresh token is not valid or has expired.');
  }
}

/** A refresh token was presented a second time: someone else holds a copy, so the session ends. */
export class RefreshTokenReusedError extends UnauthorizedError {
  constructor() {
    super('AUTH_REFRESH_REUSED', 'The refresh token was already used; the session has been revoked.');
  }
}

export class UserInactiveError extends ForbiddenError {
  constructor() {
    super('USER_INACTIVE', 'This account has been deactivated.');
  }
}

export class UserNotFoundError extends NotFoundError {
  constructor() {
    super('USER_NOT_FOUND', 'No such user.');
  }
}

export class OrgExistsError extends ConflictError {
  constructor(orgId: string) {
    super('ORG_EXISTS', 'An organization with this name already exists; ask its admin for an account.', {
      orgId,
    });
  }
}

export class UsernameTakenError extends ConflictError {
  constructor() {
    super('USERNAME_TAKEN', 'This username is already taken.');
  }
}

export class EmailTakenError extends ConflictError {
  constructor() {
    super('EMAIL_TAKEN', 'An account with this email address already exists.');
  }
}

/**
 * The bootstrap admin's username belongs to an account that is not an active admin of the
 * bootstrap org (say a customer registered it first): counting it as the admin would leave the
 * deployment without one, so start-up stops instead.
 */
export class BootstrapAdminConflictError extends ConflictError {
  constructor(username: string, orgId: string) {
    super(
      'BOOTSTRAP_ADMIN_CONFLICT',
      `The bootstrap admin username "${username}" belongs to an account that is not an active admin of org "${orgId}"; choose another BOOTSTRAP_ADMIN_USERNAME, or make that account an active admin of the org.`,
      { orgId },
    );
  }
}

/** An admin may not lock themself out: the org could be left without one. */
export class SelfChangeError extends ConflictError {
  constructor() {
    super('USER_SELF_CHANGE', 'You cannot change your own role or deactivate yourself.');
  }
}

/** The record kept changing under us; the client may simply retry. */
export class UserBusyError extends AppError {
  constructor() {
    super('USER_CONFLICT', 409, 'The account was changed concurrently; retry the request.');
  }
}
