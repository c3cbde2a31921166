// The playground's routes on a small Apollo server: what a browser
// navigation gets, what API requests still reach, how assets are served.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PLAYGROUND_CONTENT_SECURITY_POLICY } from '../gateway/playground/playgroundRouter';
import { graphqlPath, greeting, rawGet, startServer, type RunningServer } from './support/playgroundServer';

describe('GraphQL playground routes', () => {
  let server: RunningServer | undefined;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  test('API requests to the endpoint still reach Apollo', async () => {
    const origin = server?.origin ?? '';
    const post = await fetch(`${origin}${graphqlPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ hello }' }),
    });
    await expect(post.json()).resolves.toEqual({ data: { hello: greeting } });

    // Apollo answers these itself (its landing page, CSRF errors); what matters
    // is that the playground did not take them over. node:http rather than
    // fetch, because fetch always adds its own Sec-Fetch-Mode: cors.
    const notThePlayground = async (pathAndQuery: string, headers: Record<string, string>): Promise<void> => {
      const response = await rawGet(`${origin}${pathAndQuery}`, headers);
      expect(response.headers['content-security-policy']).not.toBe(PLAYGROUND_CONTENT_SECURITY_POLICY);
      expect(response.body).not.toContain('playground-config');
    };
    await notThePlayground(graphqlPath, { accept: 'text/html', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' });
    await notThePlayground(graphqlPath, { accept: '*/*' });
    await notThePlayground(graphqlPath, { accept: 'application/json' });
    await notThePlayground(`${graphqlPath}?query=%7Bhello%7D`, {
      accept: 'text/html',
      'apollo-require-preflight': 'true',
    });

    const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const navigations: Array<Record<string, string>> = [
      { accept: browserAccept, 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
      // Older browsers and curl -H 'Accept: text/html' send no fetch metadata.
      { accept: browserAccept },
    ];
    for (const headers of navigations) {
      const navigation = await rawGet(`${origin}${graphqlPath}`, headers);
      expect(navigation.status).toBe(200);
      expect(navigation.body).toContain('playground-config');
    }
  });

  test('assets are served with content types, long-lived caching and the CSP', async () => {
    const origin = server?.origin ?? '';
    const page = await (await fetch(`${origin}/`)).text();
    const scriptPath = /<script src="([^"]+)"/.exec(page)?.[1];
    const stylePath = /<link rel="stylesheet" href="([^"]+)"/.exec(page)?.[1];
    expect(scriptPath).toMatch(/^\/playground\/assets\/app-\w+\.js$/);
    expect(stylePath).toMatch(/^\/playground\/assets\/app-\w+\.css$/);

    const script = await fetch(`${origin}${scriptPath ?? ''}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(script.headers.get('content-security-policy')).toBe(PLAYGROUND_CONTENT_SECURITY_POLICY);

    const style = await fetch(`${origin}${stylePath ?? ''}`);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    // No stylesheet rule may point at another host (fonts are inlined).
    expect(await style.text()).not.toMatch(/url\(\s*["']?(https?:)?\/\//);

    expect((await fetch(`${origin}/playground/assets/..%2Fmanifest.json`)).status).toBe(404);
    expect((await fetch(`${origin}/playground/assets/nope.js`)).status).toBe(404);
  });

  test('answers 503 with the build command when the bundle is missing', async () => {
    const emptyDir = await mkdtemp(path.join(os.tmpdir(), 'playground-missing-'));
    const bare = await startServer(emptyDir);
    try {
      const response = await fetch(`${bare.origin}/`);
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('npm run build:playground');
    } finally {
      await bare.close();
      await rm(emptyDir, { recursive: true, force: true });
    }
  });
});
