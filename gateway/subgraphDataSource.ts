import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError, Kind, parse, type DocumentNode } from 'graphql';
import { ErrorCode } from '../common/errors';
import { ANONYMOUS, IDENTITY_HEADER, IdentitySigner, type Identity } from '../common/identity';
import { REQUEST_ID_HEADER } from '../common/logging';
import { injectTraceContext, spanContext } from '../common/tracing';
import { FetchMerger, type BatchMember, type MemberResponse } from './fetchBatching';
import { collapseRepresentations, SharedFetches, type SubgraphAnswer } from './sharedFetches';
import { SpanKind, SpanStatusCode, type Context as TraceContext, type Span, type Tracer } from '@opentelemetry/api';

export interface GatewayContext {
  identity: Identity;
  /** The request's trace span, when tracing is on: subgraph fetch spans hang under it. */
  traceContext?: TraceContext;
  /** Correlates the gateway's and the subgraphs' log lines of one request. */
  requestId?: string;
  /** The response cache key an anonymous read was looked up under; its answer is stored under the same. */
  responseCacheKey?: string;
}

export interface SubgraphFetchPolicy {
  /** SUBGRAPH_TIMEOUT_MS: how long one subgraph read may take. */
  timeoutMs: number;
  /**
   * SUBGRAPH_MUTATION_TIMEOUT_MS: how long a mutation may take. Longer than a
   * read's: a mutation cut short may still be applied, and a batch of a
   * thousand listings is slow on a cold store.
   */
  mutationTimeoutMs?: number;
  /** SUBGRAPH_RETRIES: extra attempts for a failed read (never for a mutation). */
  retries: number;
}

export interface SubgraphFetchObserver {
  (event: { subgraph: string; seconds: number; outcome: 'ok' | 'error' }): void;
}

/**
 * Work a subgraph was spared: a fetch that joined an identical one in flight,
 * repeated representations sent once, or fetches merged into another one.
 */
export interface SubgraphSavingObserver {
  (event: { subgraph: string; saving: 'shared_fetch' | 'collapsed_representations' | 'merged_fetch'; count: number }): void;
}

interface Waiting {
  member: BatchMember;
  headers: Record<string, string>;
  body: string;
  resolve: (answer: SubgraphAnswer) => void;
  reject: (error: unknown) => void;
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
  if (error.extensions?.code === ErrorCode.DOWNSTREAM_SERVICE_ERROR) return true;
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

function headerText(value: string | string[] | undefined): string | null {
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}

/**
 * One POST to a subgraph over a keep-alive connection. Plain node:http
 * rather than fetch: fetch builds a Request, Headers and an abort signal for
 * every call, which at a few subgraph fetches per operation costs the gateway
 * more CPU than parsing the answers.
 */
function postAnswer(url: URL, agent: HttpAgent, headers: Record<string, string>, body: string, timeoutMs: number): Promise<SubgraphAnswer> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    const request = send(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          cacheControl: headerText(response.headers['cache-control']),
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    const timer = setTimeout(() => {
      const error = new Error(`no answer within ${timeoutMs} ms`);
      error.name = 'TimeoutError';
      request.destroy(error);
      fail(error);
    }, timeoutMs);
    request.on('error', fail);
    request.end(body);
  });
}

// Cache-Control of a subgraph answer, as @apollo/gateway reads it: max-age,
// and private or public scope.
function cacheHint(header: string | null): { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } {
  const hint: { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } = { maxAge: 0 };
  for (const directive of (header ?? '').split(',')) {
    const [name, value] = directive.trim().toLowerCase().split('=');
    if (name === 'max-age' && value && /^\d+$/.test(value)) hint.maxAge = Number(value);
    else if (name === 'private') hint.scope = 'PRIVATE';
    else if (name === 'public') hint.scope = 'PUBLIC';
  }
  return hint;
}

/**
 * The gateway's client of one subgraph: forwards the verified caller as a
 * short-lived signed header, bounds every fetch by a timeout, retries failed
 * reads a bounded number of times with a short backoff, sends each distinct
 * entity representation once, and shares identical reads already in flight.
 * It speaks GraphQL over HTTP on keep-alive connections and parses each
 * answer once, straight from its text.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly signer: IdentitySigner;
  private readonly endpoint: URL;
  private readonly agent: HttpAgent;
  /** Identical reads in flight, shared (see SharedFetches). */
  readonly shared = new SharedFetches();
  private readonly merger = new FetchMerger();
  /** Reads of one client request waiting for the end of the current turn, to go out merged. */
  private readonly waiting = new Map<object, Waiting[]>();

  constructor(
    readonly name: string,
    readonly url: string,
    secret: string,
    private readonly policy: SubgraphFetchPolicy = { timeoutMs: 5000, retries: 1 },
    private readonly observe?: SubgraphFetchObserver,
    private readonly tracer?: Tracer,
    private readonly observeSaving?: SubgraphSavingObserver,
  ) {
    this.signer = new IdentitySigner(secret, name);
    this.endpoint = new URL(url);
    this.agent = this.endpoint.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  }

  /** Closes the idle keep-alive connections (when the gateway stops). */
  close(): void {
    this.agent.destroy();
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const traceContext = (options.context as Partial<GatewayContext>).traceContext;
    const span = this.tracer && traceContext ? this.tracer.startSpan(`subgraph ${this.name}`, { kind: SpanKind.CLIENT }, traceContext) : undefined;
    // Repeated representations go out once; the answer is spread back.
    const collapsed = collapseRepresentations(options.request.variables);
    if (collapsed) {
      options.request.variables = collapsed.variables;
      this.observeSaving?.({ subgraph: this.name, saving: 'collapsed_representations', count: collapsed.saved });
    }
    try {
      const response = await this.processWithRetries(options, span);
      collapsed?.expand(response);
      return response;
    } catch (error) {
      span?.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span?.end();
    }
  }

  private async processWithRetries(options: GraphQLDataSourceProcessOptions<GatewayContext>, span: Span | undefined): Promise<GatewayGraphQLResponse> {
    const attempts = isRead(options.request.query) ? 1 + this.policy.retries : 1;
    for (let attempt = 1; ; attempt += 1) {
      const started = process.hrtime.bigint();
      try {
        const response = await this.send(options, span);
        this.observe?.({ subgraph: this.name, seconds: Number(process.hrtime.bigint() - started) / 1e9, outcome: 'ok' });
        return response;
      } catch (error) {
        this.observe?.({ subgraph: this.name, seconds: Number(process.hrtime.bigint() - started) / 1e9, outcome: 'error' });
        if (attempt >= attempts || !retryable(error)) throw withPath(error, options);
        await delay(50 * 2 ** (attempt - 1));
      }
    }
  }

  private headersFor(options: GraphQLDataSourceProcessOptions<GatewayContext>, span: Span | undefined): Record<string, string> {
    const headers: Record<string, string> = {};
    // What the gateway itself asks for (e.g. apollo-federation-include-trace).
    if (options.request.http?.headers) for (const [name, value] of options.request.http.headers) headers[name] = value;
    headers['content-type'] = 'application/json';
    const gatewayContext = options.context as Partial<GatewayContext>;
    // Health checks and other gateway-internal fetches carry no caller: they go as anonymous.
    headers[IDENTITY_HEADER] = this.signer.sign(gatewayContext.identity ?? ANONYMOUS);
    if (gatewayContext.requestId) headers[REQUEST_ID_HEADER] = gatewayContext.requestId;
    if (span) injectTraceContext(spanContext(span), { set: (name, value) => (headers[name] = value) });
    return headers;
  }

  private async send(options: GraphQLDataSourceProcessOptions<GatewayContext>, span: Span | undefined): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    if (!request.query) throw new Error('Missing query');
    const headers = this.headersFor(options, span);
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName, extensions: request.extensions });
    // Only reads are shared, and only between requests of the same caller
    // (the identity header is part of the key).
    const key = isRead(request.query) ? `${headers[IDENTITY_HEADER]}\n${body}` : null;
    let answer: SubgraphAnswer;
    try {
      const fetchAnswer =
        key !== null && 'incomingRequestContext' in options
          ? () => this.mergeable(options.context, { query: request.query!, operationName: request.operationName, variables: request.variables }, headers, body)
          : () =>
              postAnswer(
                this.endpoint,
                this.agent,
                headers,
                body,
                key === null ? (this.policy.mutationTimeoutMs ?? this.policy.timeoutMs) : this.policy.timeoutMs,
              );
      answer = await this.shared.run(key, fetchAnswer, () => this.observeSaving?.({ subgraph: this.name, saving: 'shared_fetch', count: 1 }));
    } catch (error) {
      throw this.unreachable(error as Error);
    }
    if (answer.status < 200 || answer.status > 299) throw this.errorFromAnswer(answer);
    let parsed: unknown = answer.parsed;
    if (parsed === undefined) {
      try {
        parsed = JSON.parse(answer.text);
      } catch {
        parsed = null;
      }
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw this.unreachable(new Error(`Expected a JSON object from the ${this.name} subgraph, got: ${answer.text.slice(0, 200)}`));
    }
    if ('incomingRequestContext' in options) {
      const policy = options.incomingRequestContext.overallCachePolicy as { restrict?(hint: ReturnType<typeof cacheHint>): void } | undefined;
      policy?.restrict?.(cacheHint(answer.cacheControl));
    }
    return parsed as GatewayGraphQLResponse;
  }

  /**
   * A read of a client request waits for the end of the current turn of the
   * event loop: the query plan starts the fetches that run side by side in
   * one turn, and those to this subgraph then go out as one merged request.
   */
  private mergeable(context: object, member: BatchMember, headers: Record<string, string>, body: string): Promise<SubgraphAnswer> {
    return new Promise((resolve, reject) => {
      let list = this.waiting.get(context);
      if (!list) {
        list = [];
        this.waiting.set(context, list);
        setImmediate(() => void this.flush(context));
      }
      list.push({ member, headers, body, resolve, reject });
    });
  }

  private async flush(context: object): Promise<void> {
    const list = this.waiting.get(context) ?? [];
    this.waiting.delete(context);
    const alone = (entry: Waiting) => postAnswer(this.endpoint, this.agent, entry.headers, entry.body, this.policy.timeoutMs).then(entry.resolve, entry.reject);
    const merged = list.length > 1 ? this.merger.merge(list.map((entry) => entry.member)) : null;
    if (!merged) {
      await Promise.all(list.map(alone));
      return;
    }
    let answer: SubgraphAnswer;
    try {
      answer = await postAnswer(
        this.endpoint,
        this.agent,
        list[0].headers,
        JSON.stringify({ query: merged.query, variables: merged.variables }),
        this.policy.timeoutMs,
      );
    } catch (error) {
      // Unreachable or timed out: every read fails as its own fetch would have (and may be retried).
      for (const entry of list) entry.reject(error);
      return;
    }
    let split: MemberResponse[] | null = null;
    try {
      const response = answer.status >= 200 && answer.status <= 299 ? (JSON.parse(answer.text) as MemberResponse) : null;
      if (response && response.data) split = merged.split(response);
    } catch {
      split = null;
    }
    if (!split) {
      // The subgraph answered, but not as expected (it refused the merged
      // document, or answered without data): each read goes out on its own.
      await Promise.all(list.map(alone));
      return;
    }
    this.observeSaving?.({ subgraph: this.name, saving: 'merged_fetch', count: list.length - 1 });
    const { status, statusText, cacheControl } = answer;
    list.forEach((entry, index) => entry.resolve({ status, statusText, cacheControl, text: '', parsed: split![index] }));
  }

  /**
   * A subgraph that cannot be reached (refused, reset, timed out) fails with
   * Apollo's DOWNSTREAM_SERVICE_ERROR shape naming the subgraph; the
   * underlying message, which holds its internal URL, stays in the log.
   */
  private unreachable(error: Error): GraphQLError {
    if (error instanceof GraphQLError) return error;
    const timedOut = error.name === 'TimeoutError' || /timeout|timed out|aborted/i.test(error.message);
    return new GraphQLError(timedOut ? `The ${this.name} subgraph did not answer in time.` : `The ${this.name} subgraph could not be reached.`, {
      originalError: error,
      extensions: { code: ErrorCode.DOWNSTREAM_SERVICE_ERROR, serviceName: this.name },
    });
  }

  /**
   * An HTTP error from a subgraph, shaped as @apollo/gateway shapes it
   * ("<status>: <text>", the response under extensions.response), with one
   * exception: a subgraph answers 400 when a variable fails its scalar's
   * parsing (a Decimal with three decimals, a malformed DateTime), which the
   * gateway passed on because it cannot know those rules. That is the
   * client's mistake, so its BAD_USER_INPUT message reaches the client.
   * A 401 or 403 is the gateway's own problem with the subgraph: it becomes
   * DOWNSTREAM_SERVICE_ERROR naming the subgraph, and nothing more.
   */
  private errorFromAnswer(answer: SubgraphAnswer): GraphQLError {
    let body: unknown = answer.text;
    try {
      body = JSON.parse(answer.text);
    } catch {
      // not JSON: kept as text
    }
    if (answer.status === 400) {
      const first = (body as { errors?: { message?: string; extensions?: { code?: string } }[] } | null)?.errors?.[0];
      if (first?.extensions?.code === ErrorCode.BAD_USER_INPUT && typeof first.message === 'string') {
        return new GraphQLError(first.message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
      }
    }
    if (answer.status === 401 || answer.status === 403) {
      // The subgraph refused the gateway itself (secrets that differ between
      // them, a proxy's policy): nothing the client did or can fix. It sees
      // which subgraph failed, never its URL or answer; those go to the log.
      const detail = new Error(`${answer.status} ${answer.statusText} from ${this.url}: ${answer.text.slice(0, 500)}`);
      return new GraphQLError(`The ${this.name} subgraph refused the gateway's request.`, {
        originalError: detail,
        extensions: { code: ErrorCode.DOWNSTREAM_SERVICE_ERROR, serviceName: this.name },
      });
    }
    return new GraphQLError(`${answer.status}: ${answer.statusText}`, {
      extensions: { response: { url: this.url, status: answer.status, statusText: answer.statusText, body } },
    });
  }
}
