// OpenTelemetry traces: with OTEL_EXPORTER_OTLP_ENDPOINT set, the gateway and
// the subgraphs export spans over OTLP/HTTP, and one request is one trace
// across them. The collector is a real HTTP server in the test.
import { createServer, type Server } from 'node:http';
import { startCatalog, type Catalog } from './support/catalogHarness';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
}

describe('tracing', () => {
  const spans: ExportedSpan[] = [];
  let collector: Server;
  let catalog: Catalog;

  beforeAll(async () => {
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const payload = JSON.parse(body) as {
            resourceSpans: {
              resource: { attributes: { key: string; value: { stringValue?: string } }[] };
              scopeSpans: { spans: Omit<ExportedSpan, 'service'>[] }[];
            }[];
          };
          for (const resourceSpans of payload.resourceSpans) {
            const service = resourceSpans.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
            for (const scope of resourceSpans.scopeSpans) for (const span of scope.spans) spans.push({ ...span, service });
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', () => resolve()));
    const endpoint = `http://127.0.0.1:${(collector.address() as { port: number }).port}`;
    catalog = await startCatalog({ backend: 'pglite', otlpEndpoint: endpoint, gatewayEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, RESPONSE_CACHE: 'off' } });
  }, 120_000);
  afterAll(async () => {
    await catalog?.close();
    await new Promise<void>((resolve) => collector.close(() => resolve()));
  });

  it('exports one trace per request with the gateway’s span, a span per subgraph fetch and the subgraphs’ spans under them', async () => {
    const response = await catalog.query('{ product(id: "prd_001") { name supplier { name } reliefCertified } }');
    expect(response.errors).toBeUndefined();
    let root: ExportedSpan | undefined;
    for (let i = 0; i < 60 && !(root && spans.filter((s) => s.traceId === root!.traceId).length >= 7); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      root = spans.find((span) => span.name === 'gateway request');
    }
    expect(root).toBeDefined();
    const trace = spans.filter((span) => span.traceId === root!.traceId);
    const fetches = trace.filter((span) => span.name.startsWith('subgraph ') && span.parentSpanId === root!.spanId);
    expect(new Set(fetches.map((span) => span.name))).toEqual(new Set(['subgraph products', 'subgraph suppliers', 'subgraph certification']));
    for (const name of ['products', 'suppliers', 'certification']) {
      const served = trace.find((span) => span.name === `${name} request`);
      expect(served?.service).toBe(`relief-goods-graph-${name}`);
      expect(fetches.map((span) => span.spanId)).toContain(served?.parentSpanId);
    }
    expect(root!.service).toBe('relief-goods-graph-gateway');
  });
});
