import { testServers, waitFor } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayClient } from './gateway-client.ts';
import { type RunningStack, startAuthStack } from './stack.ts';

// System A's ticket flow, driven only through the gateway against real identity and tickets
// processes: the users the tickets service learns of come from identity's events and snapshot.
let stack: RunningStack;
const run = Date.now().toString(36);

const { call, registerAdmin, hire } = gatewayClient(() => stack.gateway);

beforeAll(async () => {
  stack = await startAuthStack(testServers(), { tickets: true });
});

afterAll(async () => {
  await stack?.stop();
});

describe('tickets through the gateway (System A routes)', () => {
  it('open → assign → reply → internal note → resolve → customer reply reopens; org B sees none of it', async () => {
    const admin = await registerAdmin(`acme${run}`);
    const agent = await hire(admin.token, 'agent', `agent_${run}`);
    const customer = await hire(admin.token, 'user', `cust_${run}`);

    const created = await call('POST', '/api/tickets/', customer.token, {
      title: 'Cannot log in',
      description: 'The page says 500',
      priority: 'high',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ number: 'HD-000001', status: 'open', created_by: customer.id });
    const id = created.body.id as string;

    // The tickets service learns of the new agent from identity's event; assign once it has.
    const assigned = await waitFor(
      async () => {
        const r = await call('POST', `/api/tickets/${id}/assign/`, admin.token, { assigned_to: agent.id });
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 10_000, description: 'the agent to become assignable' },
    );
    expect(assigned.body).toMatchObject({ status: 'assigned', assigned_to: agent.id });

    const agentList = await call('GET', '/api/tickets/', agent.token);
    expect(agentList.body.results.map((t: { id: string }) => t.id)).toContain(id);

    const reply = await call('POST', `/api/tickets/${id}/comments/`, agent.token, {
      comment: 'Looking into it',
    });
    expect(reply.status).toBe(201);
    const note = await call('POST', `/api/tickets/${id}/comments/`, agent.token, {
      comment: 'Customer is on the old plan',
      is_internal: true,
    });
    expect(note.status).toBe(201);

    const seen = await call('GET', `/api/tickets/${id}/comments/`, customer.token);
    expect(seen.body.results.map((c: { body: string }) => c.body)).toEqual(['Looking into it']);
    const asCustomer = await call('GET', `/api/tickets/${id}/`, customer.token);
    expect(asCustomer.body.comment_count).toBe(1);
    expect(asCustomer.body.first_response_at).not.toBeNull();

    expect(
      (await call('POST', `/api/tickets/${id}/status/`, agent.token, { status: 'in_progress' })).status,
    ).toBe(200);
    expect(
      (await call('POST', `/api/tickets/${id}/status/`, agent.token, { status: 'resolved' })).status,
    ).toBe(200);
    expect(
      (await call('POST', `/api/tickets/${id}/status/`, customer.token, { status: 'closed' })).status,
    ).toBe(403);

    const back = await call('POST', `/api/tickets/${id}/comments/`, customer.token, {
      comment: 'Still broken',
    });
    expect(back.status).toBe(201);
    const reopened = await call('GET', `/api/tickets/${id}/`, customer.token);
    expect(reopened.body).toMatchObject({ status: 'open', reopen_count: 1 });

    const history = await call('GET', `/api/tickets/${id}/history/`, admin.token);
    expect(history.status).toBe(200);
    expect(history.body.results.map((h: { field: string }) => h.field)).toEqual(
      expect.arrayContaining(['created', 'assigned_to', 'status']),
    );

    // A file through the gateway's attachment limit, sniffed and served back byte for byte.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), 'screenshot.png');
    const upload = await fetch(`${stack.gateway}/api/tickets/${id}/attachments/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${customer.token}` },
      body: form,
    });
    expect(upload.status).toBe(201);
    const file = (await upload.json()) as { id: string; content_type: string };
    expect(file.content_type).toBe('image/png');
    const download = await fetch(`${stack.gateway}/api/tickets/${id}/attachments/${file.id}/`, {
      headers: { authorization: `Bearer ${agent.token}` },
    });
    expect(Buffer.from(await download.arrayBuffer())).toEqual(png);

    // System B's routes and names reach the same ticket.
    const orgId = created.body.org_id as string;
    const b = await call('GET', `/api/helpdesk/tickets/${orgId}/${id}`, admin.token);
    expect(b.body).toMatchObject({ id, created_by: customer.id, assigned_to: agent.id });
    const bComments = await call('GET', `/api/helpdesk/tickets/${id}/comments`, customer.token);
    expect(bComments.body.results.map((c: { body: string }) => c.body)).toEqual([
      'Looking into it',
      'Still broken',
    ]);

    const other = await registerAdmin(`globex${run}`);
    expect((await call('GET', `/api/helpdesk/tickets/${orgId}`, other.token)).status).toBe(404);
    expect((await call('GET', `/api/tickets/${id}/`, other.token)).status).toBe(404);
    expect((await call('GET', '/api/tickets/', other.token)).body.results).toEqual([]);
  });
});
