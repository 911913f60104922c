import type { Problem } from '@helpdesk/contracts';

export interface FieldError {
  path: string;
  message: string;
}

/**
 * Base of every domain error: a stable SCREAMING_SNAKE `code` and the HTTP status it maps to.
 * Domain code throws these; only the app's error handler knows about HTTP bodies.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly extra: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;
  constructor(
    code: string,
    status: number,
    message: string,
    opts: { extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.extra = opts.extra;
    this.headers = opts.headers;
  }
}

export class ValidationError extends AppError {
  readonly fields: FieldError[];
  constructor(fields: FieldError[], message = 'The request is not valid.') {
    super('VALIDATION_FAILED', 400, message, { extra: { errors: fields } });
    this.fields = fields;
  }
}

export class UnauthorizedError extends AppError {
  constructor(code = 'AUTH_REQUIRED', message = 'A valid access token is required.') {
    super(code, 401, message, { headers: { 'www-authenticate': 'Bearer' } });
  }
}

export class ForbiddenError extends AppError {
  constructor(code = 'AUTH_FORBIDDEN', message = 'You may not do this.') {
    super(code, 403, message);
  }
}

export class NotFoundError extends AppError {
  constructor(code = 'NOT_FOUND', message = 'Not found.') {
    super(code, 404, message);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, extra?: Record<string, unknown>) {
    super(code, 409, message, extra ? { extra } : {});
  }
}

export class TooManyRequestsError extends AppError {
  constructor(code: string, message: string, retryAfterSeconds: number) {
    super(code, 429, message, { headers: { 'retry-after': String(retryAfterSeconds) } });
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusTitle(status: number): string {
  return TITLES[status] ?? 'Error';
}

/** Builds an RFC 9457 body; `type` is a stable URN derived from the code. */
export function toProblem(
  status: number,
  code: string,
  detail: string,
  requestId?: string,
  extra?: Record<string, unknown>,
): Problem {
  return {
    type: `urn:helpdesk:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: statusTitle(status),
    status,
    detail,
    code,
    ...(requestId ? { requestId } : {}),
    ...extra,
  };
}
