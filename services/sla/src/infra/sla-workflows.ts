import {
  type Client,
  isGrpcDeadlineError,
  isGrpcServiceError,
  QueryNotRegisteredError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import type { SlaWorkflows } from '../use-cases/ports.ts';
import { SlaUnavailableError } from '../use-cases/sla.errors.ts';
import {
  type AtRiskSla,
  manualEscalationSignal,
  SLA_LEVEL,
  SLA_NEXT_DUE,
  SLA_ORG_ID,
  type SlaSearch,
  slaViewQuery,
  slaWorkflowId,
  ticketChangedSignal,
  WORKFLOW_TYPE,
} from '../workflows/contract.ts';

const DEFAULT_QUERY_TIMEOUT_MS = 5_000;
const WORKFLOW_ID_PREFIX = slaWorkflowId('');

/** gRPC codes that mean "Temporal cannot answer now": CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE. */
const OUTAGE_CODES = new Set([1, 4, 8, 14]);

/**
 * Temporal did not answer (in time): the deadline passed, the frontend is down or overloaded, or
 * the client gave up after its retries (a ServiceError, whose cause says why). The API answers
 * 503 with Retry-After for all of these, never a 500.
 */
function isOutage(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    const current: Error = e;
    // Read first: the SDK's type guards narrow `current` to `never` once they have said no.
    const cause: unknown = current.cause;
    if (current instanceof ServiceError || isGrpcDeadlineError(current)) return true;
    const code = (current as { code?: unknown }).code;
    if (isGrpcServiceError(current) && typeof code === 'number' && OUTAGE_CODES.has(code)) return true;
    e = cause;
  }
  return false;
}

/** The consumer's signal-with-start may wait longer than an API call, but not for ever. */
const SIGNAL_DEADLINE_MS = 30_000;

/** A string literal of the visibility query language. */
const quoted = (s: string): string => `'${s.replace(/['\\]/g, '\\$&')}'`;

/**
 * The ticket's SLA workflow through the Temporal client. Calls made for an HTTP request get a
 * deadline, so a Temporal outage answers 503 instead of holding the request.
 *
 * Signal-with-start uses `ALLOW_DUPLICATE_FAILED_ONLY`: a workflow that completed (its ticket was
 * closed or cancelled) is never started again by a late or redelivered event, while one that
 * failed or was terminated by an operator can be. A query answers from a worker: without one
 * polling the task queue it would wait for good, were it not for the deadline.
 */
export function createSlaWorkflows(
  client: Client,
  opts: { taskQueue: string; queryTimeoutMs?: number },
): SlaWorkflows & SlaSearch {
  const queryTimeoutMs = opts.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const handle = (ticketId: string) => client.workflow.getHandle(slaWorkflowId(ticketId));
  /** The API's calls wait this long at most; the consumer's signal-with-start may take longer. */
  const bounded = <T>(call: () => Promise<T>) =>
    client.connection.withDeadline(Date.now() + queryTimeoutMs, call);

  /** `running`, `closed`, or null when there is no such workflow. */
  async function stateOf(ticketId: string): Promise<'running' | 'closed' | null> {
    try {
      const d = await bounded(() => handle(ticketId).describe());
      return d.status.name === 'RUNNING' ? 'running' : 'closed';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      if (isOutage(err)) throw new SlaUnavailableError('Temporal did not answer; retry shortly.');
      throw err;
    }
  }

  return {
    async ticketChanged(input, facts) {
      try {
        await client.connection.withDeadline(Date.now() + SIGNAL_DEADLINE_MS, () =>
          client.workflow.signalWithStart(WORKFLOW_TYPE, {
            workflowId: slaWorkflowId(input.ticketId),
            taskQueue: opts.taskQueue,
            args: [input],
            signal: ticketChangedSignal,
            signalArgs: [facts],
            workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
            // From the start, so the at-risk search never sees a run without its org.
            ...(input.searchAttributes === false
              ? {}
              : { typedSearchAttributes: [{ key: SLA_ORG_ID, value: input.orgId }] }),
          }),
        );
        return 'signalled';
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return 'ended';
        throw err;
      }
    },

    async view(ticketId, at) {
      try {
        return await bounded(() => handle(ticketId).query(slaViewQuery, at));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return null;
        // The workflow answers queries once its policy is resolved, a moment after it starts.
        if (err instanceof QueryNotRegisteredError && err.message.includes('SLA_NOT_STARTED'))
          throw new SlaUnavailableError('The SLA of this ticket is starting; retry in a moment.', 1);
        if (isOutage(err)) throw new SlaUnavailableError();
        throw err;
      }
    },

    async escalate(ticketId, req) {
      try {
        await bounded(() => handle(ticketId).signal(manualEscalationSignal, req));
        return 'signalled';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError)
          return (await stateOf(ticketId)) === null ? 'not_found' : 'ended';
        if (isOutage(err)) throw new SlaUnavailableError('Temporal did not answer; retry shortly.');
        throw err;
      }
    },

    async atRisk(orgId, dueBy, limit) {
      const query = [
        `WorkflowType = '${WORKFLOW_TYPE}'`,
        `ExecutionStatus = 'Running'`,
        `${SLA_ORG_ID.name} = ${quoted(orgId)}`,
        `${SLA_NEXT_DUE.name} <= '${dueBy.toISOString()}'`,
      ].join(' AND ');
      const found: AtRiskSla[] = [];
      try {
        await bounded(async () => {
          for await (const wf of client.workflow.list({ query, pageSize: limit })) {
            const nextDue = wf.typedSearchAttributes.get(SLA_NEXT_DUE);
            if (!wf.workflowId.startsWith(WORKFLOW_ID_PREFIX) || nextDue === undefined) continue;
            found.push({
              ticketId: wf.workflowId.slice(WORKFLOW_ID_PREFIX.length),
              nextDue,
              level: wf.typedSearchAttributes.get(SLA_LEVEL) ?? 0,
            });
            if (found.length >= limit) break;
          }
        });
      } catch (err) {
        if (isOutage(err)) throw new SlaUnavailableError('Temporal did not answer; retry shortly.');
        throw err;
      }
      // The SQL visibility store of the dev server cannot order by a custom attribute.
      return found.sort((a, b) => a.nextDue.getTime() - b.nextDue.getTime());
    },
  };
}
