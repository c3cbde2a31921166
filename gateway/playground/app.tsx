import { createGraphiQLFetcher, createLocalStorage } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { Environment as MonacoEnvironment } from 'monaco-editor';
import 'graphiql/style.css';

/** Shape of the JSON the gateway embeds in the page (see playgroundRouter.ts). */
interface PlaygroundConfig {
  graphqlUrl: string;
  storageNamespace: string;
  documents: Array<{ name: string; query: string }>;
  workers: { editor: string; json: string; graphql: string };
}

function readConfig(): PlaygroundConfig {
  // The config travels as inert JSON rather than an inline script so the CSP
  // can stay at script-src 'self' without nonces or hashes.
  const element = document.getElementById('playground-config');
  if (!element?.textContent) {
    throw new Error('playground-config element is missing from the page');
  }
  return JSON.parse(element.textContent) as PlaygroundConfig;
}

const config = readConfig();

// Monaco asks for a worker by language label. GraphiQL's stock setups either
// rely on a bundler-specific `?worker` import or load the workers from esm.sh;
// here each worker is a separate same-origin file produced by
// scripts/buildPlayground.ts, so worker-src 'self' is enough (no blob:).
const monacoEnvironment: MonacoEnvironment = {
  getWorker(_workerId, label) {
    switch (label) {
      case 'graphql':
        return new Worker(config.workers.graphql, { name: label });
      case 'json':
        return new Worker(config.workers.json, { name: label });
      default:
        return new Worker(config.workers.editor, { name: label });
    }
  },
};
window.MonacoEnvironment = monacoEnvironment;

const fetcher = createGraphiQLFetcher({ url: config.graphqlUrl });

// GraphiQL prefers tabs persisted in localStorage over defaultTabs. The
// namespace is derived from the contract documents, so a changed contract
// shows up as fresh tabs while edits to an unchanged one survive reloads.
const storage = createLocalStorage({ namespace: config.storageNamespace });

const defaultTabs = config.documents.map((document) => ({ query: document.query }));

const container = document.getElementById('root');
if (!container) {
  throw new Error('#root element is missing from the page');
}

createRoot(container).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      storage={storage}
      // An empty array would leave GraphiQL with no tab at all.
      defaultTabs={defaultTabs.length > 0 ? defaultTabs : undefined}
    />
  </StrictMode>,
);
