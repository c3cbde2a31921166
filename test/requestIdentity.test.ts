// The request identity feature alone: the caller is verified once per request
// and put on the request's context; a refused token reads as anonymous until
// Apollo builds the context, which it then fails.
import type { IncomingHttpHeaders } from 'node:http';
import type { Request, Response } from 'express';
import { ANONYMOUS, type Identity } from '../common/identity';
import { unauthenticated } from '../common/errors';
import { requestIdentity } from '../gateway/features/requestIdentity';
import { requestContext } from '../gateway/requestContext';

const partner: Identity = { sub: 'p', roles: ['partner'], platform: 'jd', authenticated: true, service: false };

function pass(feature: ReturnType<typeof requestIdentity>, req: Request): Promise<void> {
  return new Promise((resolve) => feature.http![0](req, {} as Response, () => resolve()));
}

describe('requestIdentity', () => {
  it('verifies the token once and puts the caller on the context every later hook reads', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const feature = requestIdentity(async (headers) => (seen.push(headers), partner));
    const req = { headers: { authorization: 'Bearer good' } } as unknown as Request;
    await pass(feature, req);
    const context = requestContext(req);
    expect(context.identity).toBe(partner);
    await feature.context!(context);
    expect(requestContext(req)).toBe(context);
    expect(seen).toHaveLength(1);
  });

  it('leaves a refused caller anonymous, and refuses the request when Apollo builds its context', async () => {
    const refusal = unauthenticated('The bearer token is not valid.');
    const feature = requestIdentity(async () => {
      throw refusal;
    });
    const req = { headers: { authorization: 'Bearer bad' } } as unknown as Request;
    await pass(feature, req);
    const context = requestContext(req);
    expect(context.identity).toBe(ANONYMOUS);
    expect(() => feature.context!(context)).toThrow(refusal);
    // Another request is not affected.
    expect(() => feature.context!(requestContext({ headers: {} } as unknown as Request))).not.toThrow();
  });
});
