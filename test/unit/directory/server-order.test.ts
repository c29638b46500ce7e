import { describe, expect, it } from 'vitest';
import { ServerOrder } from '../../../src/infra/directory/server-order.js';

const a = { label: 'a:636' };
const b = { label: 'b:636' };
const c = { label: 'c:636' };

describe('the order servers are asked in', () => {
  it('is the configured order while all are healthy', () => {
    expect(new ServerOrder([a, b, c], 30_000).current()).toEqual([a, b, c]);
  });

  it('asks a server that just failed last, until the demotion ends or it answers', () => {
    let now = 0;
    const order = new ServerOrder([a, b, c], 30_000, () => now);
    order.recordFailure(a);
    order.recordFailure(b);
    expect(order.current()).toEqual([c, a, b]);
    now = 10_000;
    order.recordAnswer(b);
    expect(order.current()).toEqual([b, c, a]);
    now = 30_001;
    expect(order.current()).toEqual([a, b, c]);
  });
});
