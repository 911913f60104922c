import { Counter, type Metrics } from '@helpdesk/kit';

export function identityMetrics(metrics: Metrics) {
  return {
    logins: new Counter({
      name: 'identity_login_attempts_total',
      help: 'Password logins by outcome: success, invalid, throttled, inactive, error',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    }),
    refreshes: new Counter({
      name: 'identity_refreshes_total',
      help: 'Refresh-token exchanges by outcome: success, invalid, reused, error',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    }),
  };
}
export type IdentityMetrics = ReturnType<typeof identityMetrics>;
