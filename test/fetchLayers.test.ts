// Each layer of the gateway's subgraph fetch alone, with a `next` function
// standing for the rest of the stack.
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { ROOT_CONTEXT, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../common/errors';
import { ANONYMOUS, IDENTITY_HEADER, IdentitySigner, verifyIdentity, type Identity } from '../common/identity';
import { REQUEST_ID_HEADER } from '../common/logging';
import { FetchMerger, mergeLayer } from '../gateway/fetch/fetchBatching';
import { identityLayer } from '../gateway/fetch/identity';
import { compose, isRead, type SubgraphAnswer, type SubgraphCall, type SubgraphPost } from '../gateway/fetch/layers';
import { collapseLayer } from '../gateway/fetch/representations';
import { retryReads } from '../gateway/fetch/retry';
import { shareLayer, SharedFetches } from '../gateway/fetch/sharedFetches';
import { spanLayer } from '../gateway/fetch/spans';
import { answerReader, withPath } from '../gateway/fetch/subgraphAnswer';
import { timingLayer } from '../gateway/fetch/timing';
import type { GatewayContext } from '../gateway/requestContext';

const subgraph = { name: 'suppliers', url: 'http://127.0.0.1:1/graphql' };
const secret = 's'.repeat(40);
const partner: Identity = { sub: 'p', roles: ['partner'], platform: 'jd', authenticated: true, service: false };

function call(query: string, options: { variables?: Record<string, unknown>; context?: Partial<GatewayContext>; incoming?: object | null } = {}): SubgraphCall {
  const context = options.context ?? { identity: ANONYMOUS };
  const incoming =
    options.incoming === null ? {} : { kind: 'incoming operation', incomingRequestContext: options.incoming ?? { overallCachePolicy: undefined } };
  return {
    options: { request: { query, variables: options.variables }, context, ...incoming } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>,
    read: isRead(query),
    headers: {},
  };
}

const post = (c: SubgraphCall, body = JSON.stringify({ query: c.options.request.query, variables: c.options.request.variables })): SubgraphPost => ({
  call: c,
  headers: c.headers,
  body,
});

const answer = (value: unknown, status = 200): SubgraphAnswer => ({
  status,
  statusText: status === 200 ? 'OK' : 'Service Unavailable',
  cacheControl: null,
  text: typeof value === 'string' ? value : JSON.stringify(value),
});

const READ = 'query Fetch($code: ID!) { region(code: $code) { code } }';

describe('compose', () => {
  it('runs the layers outermost first, around the last step', async () => {
    const seen: string[] = [];
    const run = compose<string, string>(
      [async (input, next) => `a(${await next(`${input}>a`)})`, async (input, next) => `b(${await next(`${input}>b`)})`],
      async (input) => (seen.push(input), 'end'),
    );
    expect(await run('in')).toBe('a(b(end))');
    expect(seen).toEqual(['in>a>b']);
  });
});

describe('retryReads', () => {
  const down = () => new GraphQLError('down', { extensions: { code: ErrorCode.DOWNSTREAM_SERVICE_ERROR } });

  it('tries a failed read again after 50 ms, then 100 ms, and gives up with the last failure', async () => {
    const waits: number[] = [];
    let attempts = 0;
    const layer = retryReads(2, async (ms) => waits.push(ms));
    await expect(
      layer(call(READ), async () => {
        attempts += 1;
        throw down();
      }),
    ).rejects.toThrow('down');
    expect([attempts, waits]).toEqual([3, [50, 100]]);
  });

  it('answers with the first attempt that succeeds', async () => {
    let attempts = 0;
    const response = await retryReads(1, async () => undefined)(call(READ), async () => {
      attempts += 1;
      if (attempts === 1) throw new GraphQLError('503: Service Unavailable', { extensions: { response: { status: 503 } } });
      return { data: { ok: true } };
    });
    expect([attempts, response.data]).toEqual([2, { ok: true }]);
  });

  it('never repeats a mutation, nor a read the subgraph refused for good', async () => {
    let attempts = 0;
    const failing = async (): Promise<GatewayGraphQLResponse> => {
      attempts += 1;
      throw attempts === 1 ? down() : new GraphQLError('bad', { extensions: { code: ErrorCode.BAD_USER_INPUT } });
    };
    await expect(retryReads(3, async () => undefined)(call('mutation { bump }'), failing)).rejects.toThrow('down');
    await expect(retryReads(3, async () => undefined)(call(READ), failing)).rejects.toThrow('bad');
    expect(attempts).toBe(2);
  });
});

describe('identityLayer', () => {
  it('signs the caller for the subgraph and passes the request id on', async () => {
    let headers: Readonly<Record<string, string>> = {};
    await identityLayer(new IdentitySigner(secret, subgraph.name))(call(READ, { context: { identity: partner, requestId: 'req-1' } }), async (c) => {
      headers = c.headers;
      return {};
    });
    expect(verifyIdentity(headers[IDENTITY_HEADER], secret, subgraph.name)).toMatchObject({ sub: 'p', roles: ['partner'], platform: 'jd' });
    expect(headers[REQUEST_ID_HEADER]).toBe('req-1');
  });

  it("signs the gateway's own fetches (no caller) as anonymous", async () => {
    let headers: Readonly<Record<string, string>> = {};
    await identityLayer(new IdentitySigner(secret, subgraph.name))(call('{ __typename }', { context: {}, incoming: null }), async (c) => {
      headers = c.headers;
      return {};
    });
    expect(verifyIdentity(headers[IDENTITY_HEADER], secret, subgraph.name)).toMatchObject({ sub: 'anonymous', authenticated: false });
    expect(headers[REQUEST_ID_HEADER]).toBeUndefined();
  });
});

describe('collapseLayer', () => {
  it('sends each representation once and spreads the answer back, counting what it saved', async () => {
    const saved: number[] = [];
    const representations = [
      { __typename: 'Supplier', id: 'a' },
      { __typename: 'Supplier', id: 'a' },
      { __typename: 'Supplier', id: 'b' },
    ];
    let sent: unknown;
    const response = await collapseLayer(subgraph, ({ count }) => saved.push(count))(call(READ, { variables: { representations } }), async (c) => {
      sent = c.options.request.variables?.representations;
      return { data: { _entities: [{ id: 'a' }, { id: 'b' }] } };
    });
    expect(sent).toEqual([representations[0], representations[2]]);
    expect(response.data?._entities).toEqual([{ id: 'a' }, { id: 'a' }, { id: 'b' }]);
    expect(saved).toEqual([1]);
  });
});

describe('timingLayer', () => {
  it('tells each attempt and whether it failed', async () => {
    const outcomes: string[] = [];
    const layer = timingLayer(subgraph, ({ subgraph: name, outcome, seconds }) => outcomes.push(`${name}:${outcome}:${seconds >= 0}`));
    await layer(call(READ), async () => ({}));
    await expect(
      layer(call(READ), async () => {
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(outcomes).toEqual(['suppliers:ok:true', 'suppliers:error:true']);
  });
});

describe('spanLayer', () => {
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('test');

  afterEach(() => exporter.reset());

  it("opens a client span under the request's, and carries it in traceparent", async () => {
    let headers: Readonly<Record<string, string>> = {};
    await spanLayer(subgraph, tracer)(call(READ, { context: { identity: ANONYMOUS, traceContext: ROOT_CONTEXT } }), async (c) => {
      headers = c.headers;
      return {};
    });
    const [span] = exporter.getFinishedSpans();
    expect(span.name).toBe('subgraph suppliers');
    expect(headers.traceparent).toContain(span.spanContext().spanId);
  });

  it('marks a failed fetch, and leaves a request without a span alone', async () => {
    await expect(
      spanLayer(subgraph, tracer)(call(READ, { context: { identity: ANONYMOUS, traceContext: ROOT_CONTEXT } }), async () => {
        throw new Error('gone');
      }),
    ).rejects.toThrow('gone');
    expect(exporter.getFinishedSpans()[0].status).toEqual({ code: SpanStatusCode.ERROR, message: 'gone' });
    await spanLayer(subgraph, tracer)(call(READ), async (c) => (expect(c.headers).toEqual({}), {}));
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });
});

describe('shareLayer', () => {
  it('shares identical reads of one caller in flight, and nothing else', async () => {
    const layer = shareLayer(subgraph, new SharedFetches());
    let posts = 0;
    const next = async () => ((posts += 1), answer({ data: { n: posts } }));
    const as = (identity: string, query = READ) => post({ ...call(query), headers: { [IDENTITY_HEADER]: identity } });
    await Promise.all([layer(as('anonymous'), next), layer(as('anonymous'), next)]);
    expect(posts).toBe(1);
    await Promise.all([layer(as('anonymous'), next), layer(as('partner'), next)]);
    expect(posts).toBe(3);
    await Promise.all([layer(as('partner', 'mutation { bump }'), next), layer(as('partner', 'mutation { bump }'), next)]);
    expect(posts).toBe(5);
  });
});

describe('mergeLayer', () => {
  const regions = (code: string, context: object) => post(call(READ, { variables: { code }, context: context as GatewayContext }));

  it('merges the side-by-side reads of one client request into one post and hands each read its part', async () => {
    const bodies: string[] = [];
    const layer = mergeLayer(subgraph, new FetchMerger());
    const context = { identity: ANONYMOUS };
    const next = async (p: SubgraphPost) => {
      bodies.push(p.body);
      const { variables } = JSON.parse(p.body) as { variables: Record<string, string> };
      return answer({ data: { _b0_region: { code: variables._b0_code }, _b1_region: { code: variables._b1_code } } });
    };
    const [a, b] = await Promise.all([layer(regions('411423', context), next), layer(regions('341321', context), next)]);
    expect(bodies).toHaveLength(1);
    expect([a.parsed, b.parsed]).toEqual([{ data: { region: { code: '411423' } } }, { data: { region: { code: '341321' } } }]);
  });

  it('sends each read alone when the merged post is refused, and never merges across requests or mutations', async () => {
    const bodies: string[] = [];
    const layer = mergeLayer(subgraph, new FetchMerger());
    const next = async (p: SubgraphPost) => {
      bodies.push(p.body);
      return p.body.includes('_b0_') ? answer({ errors: [{ message: 'no' }] }, 400) : answer({ data: { region: null } });
    };
    const context = { identity: ANONYMOUS };
    await Promise.all([layer(regions('1', context), next), layer(regions('2', context), next)]);
    expect(bodies.map((body) => body.includes('_b0_'))).toEqual([true, false, false]);
    bodies.length = 0;
    await Promise.all([layer(regions('1', { identity: ANONYMOUS }), next), layer(regions('2', { identity: ANONYMOUS }), next)]);
    await Promise.all([layer(post(call('mutation { bump }', { context })), next), layer(post(call('mutation { bump }', { context })), next)]);
    expect(bodies.some((body) => body.includes('_b0_'))).toBe(false);
    expect(bodies).toHaveLength(4);
  });
});

describe('answerReader', () => {
  const read = (a: SubgraphAnswer | Error, incoming?: object) =>
    answerReader(subgraph, async () => {
      if (a instanceof Error) throw a;
      return a;
    })(call(READ, { incoming }));

  it("reads a good answer and restricts the operation's cache policy by its Cache-Control", async () => {
    const hints: unknown[] = [];
    const response = await read(
      { ...answer({ data: { ok: true } }), cacheControl: 'max-age=30, public' },
      { overallCachePolicy: { restrict: (hint: unknown) => hints.push(hint) } },
    );
    expect(response).toEqual({ data: { ok: true } });
    expect(hints).toEqual([{ maxAge: 30, scope: 'PUBLIC' }]);
  });

  it("fails in Apollo's shapes: unreachable, timed out, refused, an HTTP error, no JSON object", async () => {
    const failure = (a: SubgraphAnswer | Error) =>
      read(a).then(
        () => null,
        (error: GraphQLError) => ({ message: error.message, extensions: error.extensions }),
      );
    const downstream = { code: ErrorCode.DOWNSTREAM_SERVICE_ERROR, serviceName: 'suppliers' };
    expect(await failure(new Error('connect ECONNREFUSED'))).toEqual({ message: 'The suppliers subgraph could not be reached.', extensions: downstream });
    expect(await failure(Object.assign(new Error('no answer within 5 ms'), { name: 'TimeoutError' }))).toEqual({
      message: 'The suppliers subgraph did not answer in time.',
      extensions: downstream,
    });
    expect(await failure({ ...answer('no', 401), statusText: 'Unauthorized' })).toEqual({
      message: "The suppliers subgraph refused the gateway's request.",
      extensions: downstream,
    });
    expect(await failure(answer({ errors: [{ message: 'down' }] }, 503))).toEqual({
      message: '503: Service Unavailable',
      extensions: { response: { url: subgraph.url, status: 503, statusText: 'Service Unavailable', body: { errors: [{ message: 'down' }] } } },
    });
    expect(await failure(answer({ errors: [{ message: '$price: three decimals', extensions: { code: ErrorCode.BAD_USER_INPUT } }] }, 400))).toEqual({
      message: '$price: three decimals',
      extensions: { code: ErrorCode.BAD_USER_INPUT },
    });
    expect(await failure(answer('<html>'))).toEqual({ message: 'The suppliers subgraph could not be reached.', extensions: downstream });
  });
});

describe('withPath', () => {
  it("gives a root fetch's error the path of its first root field", () => {
    const error = withPath(new GraphQLError('down'), call('query Q { suppliers: supplierSearch(text: "a") { id } other { id } }').options) as GraphQLError;
    expect(error.path).toEqual(['suppliers']);
    const plain = new Error('plain');
    expect(withPath(plain, call(READ).options)).toBe(plain);
  });
});
