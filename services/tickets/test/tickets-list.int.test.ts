import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDto } from '../src/routes/ticket.dto.ts';
import { assign, expectProblem, expectStatus, moveThrough, openTicket, people } from './fixtures.ts';
import { as, startTickets, type Tickets } from './harness.ts';

let t: Tickets;
let who: Awaited<ReturnType<typeof people>>;
/** The service's clock: the tickets are made on different days. */
let now = new Date('2030-03-01T09:00:00.000Z');
const day = (d: number) => new Date(Date.UTC(2030, 2, d, 9));
type Name = 'T1' | 'T2' | 'T3' | 'T4' | 'T5';
const tk = {} as Record<Name, TicketDto>;
let cat1: string;
let cat2: string;

beforeAll(async () => {
  t = await startTickets({}, { clock: () => now });
  who = await people(t);
  const category = async (name: string) =>
    expectStatus(await as(t, who.admin).post('/api/categories/', { name }), 201).body.id as string;
  cat1 = await category('Hardware');
  cat2 = await category('Network');
  const open = (name: Name, body: Record<string, unknown>) =>
    openTicket(t, who.admin, body).then((x) => {
      tk[name] = x;
    });

  now = day(1);
  await open('T1', {
    title: 'Printer on fire',
    description: 'smoke',
    priority: 'low',
    category: cat1,
    created_by: who.customer.id,
  });
  await open('T2', {
    title: 'VPN down',
    description: 'Cannot connect to the VPN',
    priority: 'high',
    category: cat2,
    created_by: who.otherCustomer.id,
  });
  await assign(t, who.admin, tk.T2.id, who.agent.id);
  now = day(2);
  await open('T3', { title: 'C++ build (urgent)?', description: 'x', created_by: who.customer.id });
  await assign(t, who.admin, tk.T3.id, who.otherAgent.id);
  await moveThrough(t, who.admin, tk.T3.id, 'in_progress');
  await open('T4', {
    title: 'printer jam',
    priority: 'critical',
    category: cat1,
    created_by: who.otherCustomer.id,
  });
  await moveThrough(t, who.admin, tk.T4.id, 'pending');
  now = day(3);
  await open('T5', {
    title: 'Email',
    description: 'the PRINTER prints my emails',
    created_by: who.customer.id,
  });
  await moveThrough(t, who.admin, tk.T5.id, 'resolved');
  now = day(4);
  await as(t, who.admin).patch(`/api/tickets/${tk.T1.id}/`, { tags: ['touched'] });
});
afterAll(async () => {
  await t?.close();
});

/** The names (T1..T5) of the tickets `query` lists for the admin, in the order answered. */
async function listed(query: string, as_ = who?.admin) {
  const reply = expectStatus(await as(t, as_).get(`/api/tickets/?limit=100&${query}`), 200);
  const names = new Map(Object.entries(tk).map(([name, x]) => [x.id, name]));
  return reply.body.results.map((x: { id: string }) => names.get(x.id));
}
const sorted = async (query: string) => (await listed(query)).sort();

describe('GET /api/tickets/ filters', () => {
  it.each([
    ['status=open', ['T1']],
    ['status=open,pending', ['T1', 'T4']],
    ['status=assigned, in_progress', ['T2', 'T3']],
    ['status=closed', []],
    ['priority=low,critical', ['T1', 'T4']],
    ['priority=medium', ['T3', 'T5']],
    ['requester=CUSTOMER', ['T1', 'T3', 'T5']],
    ['status=open,pending&priority=critical', ['T4']],
    ['status=resolved&requester=CUSTOMER', ['T5']],
  ])('when filtered by %s, then exactly %j are listed', async (query, expected) => {
    expect(await sorted(query.replace('CUSTOMER', who.customer.id))).toEqual(expected);
  });

  it('when filtered by assignee, then a user id lists theirs and none lists the unassigned', async () => {
    expect(await sorted(`assigned_to=${who.agent.id}`)).toEqual(['T2']);
    expect(await sorted(`assigned_to=${who.otherAgent.id}`)).toEqual(['T3']);
    expect(await sorted('assigned_to=none')).toEqual(['T1', 'T4', 'T5']);
  });

  it('when an agent filters by another agent, then the visibility still applies and nothing shows', async () => {
    expect(await listed(`assigned_to=${who.otherAgent.id}`, who.agent)).toEqual([]);
    expect((await listed('', who.agent)).sort()).toEqual(['T1', 'T2', 'T4', 'T5']);
  });

  it('when filtered by category, then only its tickets are listed', async () => {
    expect(await sorted(`category=${cat1}`)).toEqual(['T1', 'T4']);
    expect(await sorted(`category=${cat2}`)).toEqual(['T2']);
    expect(await sorted('category=unknown')).toEqual([]);
  });

  it.each([
    ['printer', ['T1', 'T4', 'T5']],
    ['PRINTER', ['T1', 'T4', 'T5']],
    ['vpn', ['T2']],
    ['c++ B', ['T3']],
    ['build (URGENT)?', ['T3']],
    ['.*', []],
    ['(', ['T3']],
    ['c+', ['T3']],
    ['p.inter', []],
    ['[a-z]', []],
    ['\\', []],
  ])(
    'when searched for %j, then the text is matched literally in title or description, any case',
    async (q, expected) => {
      expect(await sorted(`q=${encodeURIComponent(q)}`)).toEqual(expected);
    },
  );

  it.each([
    ['created_from=2030-03-02', ['T3', 'T4', 'T5']],
    ['created_to=2030-03-02', ['T1', 'T2']],
    ['created_from=2030-03-02T09:00:00Z&created_to=2030-03-03T09:00:00Z', ['T3', 'T4']],
    ['created_from=2030-03-02T10:00:00%2B01:00&created_to=2030-03-02T09:00:00.001Z', ['T3', 'T4']],
    ['updated_from=2030-03-04', ['T1']],
    ['updated_from=2030-03-02&updated_to=2030-03-03', ['T3', 'T4']],
    ['updated_to=2030-03-02', ['T2']],
  ])(
    'when filtered by %s (from inclusive, to exclusive), then exactly %j are listed',
    async (query, expected) => {
      expect(await sorted(query)).toEqual(expected);
    },
  );

  it.each([
    'status=bogus',
    'priority=urgent',
    'created_from=yesterday',
    'updated_to=2030-13-01',
    'sort=title',
    'sort=-priority',
    'limit=0',
    'limit=-5',
    'limit=many',
    `q=${'x'.repeat(201)}`,
  ])('when the query has %s, then it is a 400 naming the parameter', async (query) => {
    const reply = await as(t, who.admin).get(`/api/tickets/?${query}`);
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(reply.body.errors[0].path).toContain(query.split('=')[0]);
  });
});

describe('GET /api/tickets/ sorts and pages', () => {
  const KEYS = { created: 'created_at', updated: 'updated_at', number: 'number' } as const;
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  /** The tickets as they are now, after the changes made in beforeAll. */
  let current: Record<Name, TicketDto>;
  beforeAll(async () => {
    current = { ...tk };
    for (const name of Object.keys(tk) as Name[]) {
      current[name] = (await as(t, who.admin).get(`/api/tickets/${tk[name].id}/`)).body;
    }
  });
  /** The tickets in the sort's order, ties broken by id as the API promises. */
  function expectedOrder(sort: string) {
    const key = KEYS[sort.replace('-', '') as keyof typeof KEYS];
    const dir = sort.startsWith('-') ? -1 : 1;
    return (Object.keys(current) as Name[]).sort((a, b) => {
      const [x, y] = [current[a], current[b]];
      return dir * (cmp(x[key], y[key]) || cmp(x.id, y.id));
    });
  }

  it.each(['created', '-created', 'updated', '-updated', 'number', '-number'])(
    'when sorted by %s and walked two at a time, then every ticket comes exactly once, in order',
    async (sort) => {
      const names = new Map(Object.entries(tk).map(([name, x]) => [x.id, name]));
      const walked: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `sort=${sort}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = expectStatus(await as(t, who.admin).get(`/api/tickets/?${query}`), 200).body;
        expect(page.results.length).toBeLessThanOrEqual(2);
        walked.push(...page.results.map((x: { id: string }) => names.get(x.id)));
        cursor = page.next;
        pages++;
      } while (cursor && pages < 10);
      expect(walked).toEqual(expectedOrder(sort));
      expect(pages).toBe(3);
    },
  );

  it('when no sort is given, then the newest come first', async () => {
    expect(await listed('')).toEqual(expectedOrder('-created'));
  });

  it('when two tickets share a creation time, then paging one at a time still splits them', async () => {
    expect(tk.T1.created_at).toBe(tk.T2.created_at);
    const first = expectStatus(await as(t, who.admin).get('/api/tickets/?sort=created&limit=1'), 200).body;
    const second = (await as(t, who.admin).get(`/api/tickets/?sort=created&limit=1&cursor=${first.next}`))
      .body;
    expect([first.results[0].id, second.results[0].id].sort()).toEqual([tk.T1.id, tk.T2.id].sort());
  });

  it.each([
    ['not base64 JSON', '!!!not-a-cursor'],
    ['JSON of the wrong shape', Buffer.from('[1,2]').toString('base64url')],
    ['no id', Buffer.from('{"v":"2030-03-01T09:00:00.000Z"}').toString('base64url')],
    [
      'an operator as id',
      Buffer.from('{"v":"2030-03-01T09:00:00.000Z","id":{"$gt":""}}').toString('base64url'),
    ],
    ['a value that is no date', Buffer.from('{"v":"soon","id":"x"}').toString('base64url')],
    ['more than 512 characters', 'a'.repeat(513)],
  ])('when the cursor has %s, then it is a 400 on cursor', async (_, cursor) => {
    const reply = await as(t, who.admin).get(`/api/tickets/?cursor=${encodeURIComponent(cursor)}`);
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(reply.body.errors[0].path).toBe('cursor');
  });
});

describe('GET /api/tickets/ limit', () => {
  it('when more than 100 are asked for, then a page holds 100 and the rest follows; the default is 20', async () => {
    const org = await people(t);
    for (let batch = 0; batch < 3; batch++) {
      const replies = await Promise.all(
        Array.from({ length: 35 }, (_, i) =>
          as(t, org.admin).post('/api/tickets/', { title: `bulk ${batch}-${i}` }),
        ),
      );
      for (const r of replies) expectStatus(r, 201);
    }
    const first = expectStatus(await as(t, org.admin).get('/api/tickets/?limit=1000'), 200).body;
    expect(first.results).toHaveLength(100);
    const rest = (await as(t, org.admin).get(`/api/tickets/?limit=1000&cursor=${first.next}`)).body;
    expect(rest.results).toHaveLength(5);
    expect(rest.next).toBeNull();
    const ids = new Set([...first.results, ...rest.results].map((x: { id: string }) => x.id));
    expect(ids.size).toBe(105);
    expect((await as(t, org.admin).get('/api/tickets/')).body.results).toHaveLength(20);
  });
});
