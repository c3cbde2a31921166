import { setTimeout as delay } from 'node:timers/promises';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError, Kind, parse, type DocumentNode } from 'graphql';
import { ErrorCode } from '../common/errors';
import { ANONYMOUS, IDENTITY_HEADER, IdentitySigner, type Identity } from '../common/identity';
import { REQUEST_ID_HEADER } from '../common/logging';
import { injectTraceContext, spanContext } from '../common/tracing';
import { collapseRepresentations, SharedFetches, type SubgraphAnswer } from './sharedFetches';
import { SpanKind, SpanStatusCode, type Context as TraceContext, type Span, type Tracer } from '@opentelemetry/api';

export interface GatewayContext {
  identity: Identity;
  /** The request's trace span, when tracing is on: subgraph fetch spans hang under it. */
  traceContext?: TraceContext;
  /** Correlates the gateway's and the subgraphs' log lines of one request. */
  requestId?: string;
  /** The identity header for this request, signed once and reused for every subgraph fetch. */
  signedIdentity?: string;
}


export interface SubgraphFetchPolicy {
  /** SUBGRAPH_TIMEOUT_MS: how long one subgraph fetch may take. */
  timeoutMs: number;
  /** SUBGRAPH_RETRIES: extra attempts for a failed read (never for a mutation). */
  retries: number;
}

export interface SubgraphFetchObserver {
  (event: { subgraph: string; seconds: number; outcome: 'ok' | 'error' }): void;
}

/** Work a subgraph was spared: a fetch that joined an identical one in flight, or repeated representations sent once. */
export interface SubgraphSavingObserver {
  (event: { subgraph: string; saving: 'shared_fetch' | 'collapsed_representations'; count: number }): void;
}

// A subgraph fetch is a read unless it is a mutation: only reads are retried,
// since repeating a write that may have been applied could apply it twice.
function isRead(query: string | undefined): boolean {
  return !/^\s*mutation\b/.test(query ?? '');
}

// Worth another try: the subgraph could not be reached or timed out (see
// didEncounterError), or a proxy in front of it answered that it is unavailable.
function retryable(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return true;
  if (error.extensions?.code === 'DOWNSTREAM_SERVICE_ERROR') return true;
  const status = (error.extensions?.response as { status?: number } | undefined)?.status;
  return status === 502 || status === 503 || status === 504;
}

// Names where in the client's response the failed subgraph's data would have
// gone, so a partial answer says which part is missing.
function safeParse(query: string | undefined): DocumentNode | undefined {
  try {
    return query ? parse(query) : undefined;
  } catch {
    return undefined;
  }
}

// A root fetch has no path of its own: its first root field stands for it.
function withPath(error: unknown, options: GraphQLDataSourceProcessOptions<GatewayContext>): unknown {
  if (!(error instanceof GraphQLError) || error.path) return error;
  let path = 'pathInIncomingRequest' in options ? options.pathInIncomingRequest : undefined;
  if (!path?.length) {
    // Only on this failure path: the fetch's own text, parsed.
    const document = ('document' in options ? options.document : undefined) ?? safeParse(options.request.query);
    const operation = document?.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    const first = operation?.kind === Kind.OPERATION_DEFINITION ? operation.selectionSet.selections[0] : undefined;
    path = first?.kind === Kind.FIELD ? [first.alias?.value ?? first.name.value] : undefined;
  }
  if (!path?.length) return error;
  return new GraphQLError(error.message, { path, originalError: error.originalError ?? undefined, extensions: error.extensions });
}

async function fetchAnswer(input: string, init: RequestInit, timeoutMs: number): Promise<SubgraphAnswer> {
  const response = await fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, statusText: response.statusText, headers: response.headers, text: await response.text() };
}

// The body is RemoteGraphQLDataSource's JSON of { query, variables, ... },
// query first. Only a fetch recognisably a query is shared; anything else
// (a mutation, an unexpected shape) goes out on its own.
function sharedReadKey(url: string, init: RequestInit): string | null {
  const body = init.body;
  if (typeof body !== 'string' || !/^\{"query":"\s*(?:query\b|\{)/.test(body)) return null;
  const headers = init.headers as Record<string, string> | undefined;
  return `${url}\n${headers?.[IDENTITY_HEADER] ?? ''}\n${body}`;
}

/**
 * The gateway's client of one subgraph: forwards the verified caller as a
 * short-lived signed header, bounds every fetch by a timeout, retries failed
 * reads a bounded number of times with a short backoff, sends each distinct
 * entity representation once, and shares identical reads already in flight.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly signer: IdentitySigner;
  /** Identical reads in flight, shared (see SharedFetches). */
  readonly shared = new SharedFetches();

  constructor(
    readonly name: string,
    url: string,
    secret: string,
    private readonly policy: SubgraphFetchPolicy = { timeoutMs: 5000, retries: 1 },
    private readonly observe?: SubgraphFetchObserver,
    private readonly tracer?: Tracer,
    private readonly observeSaving?: SubgraphSavingObserver,
  ) {
    super({ url });
    this.signer = new IdentitySigner(secret);
    // Node's own fetch keeps connections alive per origin; the timeout aborts
    // a fetch that a hung subgraph would otherwise hold forever.
    this.fetcher = ((input: string, init: RequestInit) =>
      this.shared.run(sharedReadKey(input, init), () => fetchAnswer(input, init, policy.timeoutMs), () =>
        this.observeSaving?.({ subgraph: name, saving: 'shared_fetch', count: 1 }),
      ).then(
        (answer) => new Response(answer.text, { status: answer.status, statusText: answer.statusText, headers: answer.headers }),
      )) as unknown as Fetcher;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const gatewayContext = context as Partial<GatewayContext>;
    // Health checks and other gateway-internal fetches carry no caller: they go as anonymous.
    const signed = gatewayContext.identity
      ? (gatewayContext.signedIdentity ??= this.signer.sign(gatewayContext.identity))
      : this.signer.sign(ANONYMOUS);
    request.http?.headers.set(IDENTITY_HEADER, signed);
    if (gatewayContext.requestId) request.http?.headers.set(REQUEST_ID_HEADER, gatewayContext.requestId);
    const span = this.fetchSpans.get(request);
    if (span && request.http) injectTraceContext(spanContext(span), request.http.headers);
  }

  private readonly fetchSpans = new WeakMap<object, Span>();

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const traceContext = (options.context as Partial<GatewayContext>).traceContext;
    const span = this.tracer && traceContext ? this.tracer.startSpan(`subgraph ${this.name}`, { kind: SpanKind.CLIENT }, traceContext) : undefined;
    if (span) this.fetchSpans.set(options.request, span);
    // Repeated representations go out once; the answer is spread back.
    const collapsed = collapseRepresentations(options.request.variables);
    if (collapsed) {
      options.request.variables = collapsed.variables;
      this.observeSaving?.({ subgraph: this.name, saving: 'collapsed_representations', count: collapsed.saved });
    }
    try {
      const response = await this.processWithRetries(options);
      collapsed?.expand(response);
      return response;
    } catch (error) {
      span?.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span?.end();
    }
  }

  private async processWithRetries(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const attempts = isRead(options.request.query) ? 1 + this.policy.retries : 1;
    for (let attempt = 1; ; attempt += 1) {
      const started = process.hrtime.bigint();
      try {
        const response = await super.process(options);
        this.observe?.({ subgraph: this.name, seconds: Number(process.hrtime.bigint() - started) / 1e9, outcome: 'ok' });
        return response;
      } catch (error) {
        this.observe?.({ subgraph: this.name, seconds: Number(process.hrtime.bigint() - started) / 1e9, outcome: 'error' });
        if (attempt >= attempts || !retryable(error)) throw withPath(error, options);
        await delay(50 * 2 ** (attempt - 1));
      }
    }
  }

  /**
   * A subgraph that cannot be reached (refused, reset, timed out) fails with
   * Apollo's DOWNSTREAM_SERVICE_ERROR shape naming the subgraph; the
   * underlying message, which holds its internal URL, stays in the log.
   */
  override didEncounterError(error: Error): never {
    if (error instanceof GraphQLError) throw error;
    const timedOut = error.name === 'TimeoutError' || /timeout|aborted/i.test(error.message);
    throw new GraphQLError(
      timedOut ? `The ${this.name} subgraph did not answer in time.` : `The ${this.name} subgraph could not be reached.`,
      { originalError: error, extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: this.name } },
    );
  }

  /**
   * A subgraph answers 400 when a variable fails its scalar's parsing (a
   * Decimal with three decimals, a malformed DateTime): the gateway passed it
   * on because it cannot know those rules. That is the client's mistake, so
   * its BAD_USER_INPUT message reaches the client instead of a bare
   * "400: Bad Request".
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    if (response.status === 400) {
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as { errors?: { message?: string; extensions?: { code?: string } }[] } | null;
      const first = body?.errors?.[0];
      if (first?.extensions?.code === ErrorCode.BAD_USER_INPUT && typeof first.message === 'string') {
        return new GraphQLError(first.message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
      }
    }
    return super.errorFromResponse(response);
  }
}
