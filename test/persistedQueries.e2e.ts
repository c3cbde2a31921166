// Persisted queries through a running gateway: automatic persisted queries
// (a hash, then the full document on a miss), and PERSISTED_QUERIES=only,
// which runs the manifest's operations alone, by hash or by identical text.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildManifest } from '../gateway/trustedDocuments';
import { useCatalog, startGatewayOver, subgraphUrlsOf } from './support/catalogHarness';
import { contractOperations } from './support/contract';
import { post } from './support/graphqlHttp';

describe('persisted queries through the gateway', () => {
  const catalog = useCatalog({ backend: 'pglite' });

  describe('persisted queries', () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');

    it('supports automatic persisted queries: a hash, then the full query on a miss', async () => {
      const query = '{ platforms { code name } }';
      const extensions = { persistedQuery: { version: 1, sha256Hash: sha(query) } };
      const miss = await post(catalog.gatewayUrl, { extensions });
      expect(miss.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      const register = await post<{ platforms: unknown[] }>(catalog.gatewayUrl, { query, extensions });
      expect(register.data!.platforms.length).toBeGreaterThan(0);
      const hit = await post<{ platforms: unknown[] }>(catalog.gatewayUrl, { extensions });
      expect(hit.data!.platforms).toEqual(register.data!.platforms);
    });

    it('runs only manifest operations with PERSISTED_QUERIES=only, by hash or identical text', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rgg-manifest-'));
      const manifestPath = join(dir, 'manifest.json');
      const manifest = buildManifest(contractOperations.map(({ name, query }) => ({ name, query })));
      writeFileSync(manifestPath, JSON.stringify(manifest));
      const gateway = await startGatewayOver(subgraphUrlsOf(catalog), { PERSISTED_QUERIES: 'only', PERSISTED_QUERY_MANIFEST: manifestPath });
      try {
        const platforms = manifest.operations.find((operation) => operation.name === 'Platforms')!;
        const byHash = await post<{ platforms: unknown[] }>(gateway.url, {
          operationName: 'Platforms',
          extensions: { persistedQuery: { version: 1, sha256Hash: platforms.id } },
        });
        expect(byHash.errors).toBeUndefined();
        expect(byHash.data!.platforms.length).toBeGreaterThan(0);
        // The contract file's own text, with its layout and comments.
        const byText = await post<{ region: { county: string } }>(gateway.url, {
          query: `# partner app build 42\nquery Region($code: ID!) {\n  region(code: $code) { code name county city province designatedPovertyCounty }\n}`,
          variables: { code: '411423' },
        });
        expect(byText.errors).toBeUndefined();
        expect(byText.data!.region.county).toBe('宁陵县');
        const other = await post(gateway.url, { query: '{ platforms { code } }' });
        expect(other.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
        const unknownHash = await post(gateway.url, { extensions: { persistedQuery: { version: 1, sha256Hash: sha('{ platforms { code } }') } } });
        expect(unknownHash.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
      } finally {
        await gateway.close();
      }
    });
  });
});
