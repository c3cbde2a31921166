// The gateway's limits on a document before Apollo parses and validates it:
// tokens (graphql-js maxTokens) and the validation budget (selections with
// fragments expanded). Every legitimate document passes with room to spare.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getIntrospectionQuery } from 'graphql';
import { checkDocument, DEFAULT_DOCUMENT_LIMITS, documentLimitsFromEnv } from '../gateway/features/documentLimits';
import { defaultContractDir, readContractOperations } from '../gateway/contractDocuments';

describe('document limits', () => {
  test('every contract and importer operation, and the playground introspection, pass', () => {
    const documents = [
      ...readContractOperations(defaultContractDir()).map((operation) => operation.query),
      readFileSync(join(__dirname, '..', 'importer', 'operations.graphql'), 'utf8'),
      getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, schemaDescription: true, specifiedByUrl: true, directiveIsRepeatable: true }),
    ];
    for (const document of documents) expect(checkDocument(document, DEFAULT_DOCUMENT_LIMITS)).toBeNull();
    // All of them in one document still fit the token limit.
    expect(checkDocument(documents.join('\n'), { ...DEFAULT_DOCUMENT_LIMITS, maxSelections: 1_000_000 })).toBeNull();
  });

  // How long refusing takes is measured by `npm run bench:flood`, not here.
  test('a megabyte of repeated fields is refused at the token limit, before it is parsed to the end', () => {
    const document = `{ ${'__typename '.repeat(95_000)} }`;
    expect(document.length).toBeGreaterThan(1_000_000);
    expect(checkDocument(document, DEFAULT_DOCUMENT_LIMITS)?.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'maxTokens', max: 2000 });
  });

  test('fragments that expand beyond the validation budget are refused before validation', () => {
    // 31 fragments, each spreading the next twice: 2^30 selections from 1.2 KB.
    const bomb = `query { ...F0 } ${Array.from({ length: 30 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F30 on Query { __typename }`;
    expect(checkDocument(bomb, DEFAULT_DOCUMENT_LIMITS)?.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'maxSelections', max: 2000 });
    // A fragment cycle is counted once (validation then refuses it) instead of recursing forever.
    expect(checkDocument('query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }', DEFAULT_DOCUMENT_LIMITS)).toBeNull();
  });

  test('syntax errors are left to Apollo Server', () => {
    expect(checkDocument('{ products(first: ', DEFAULT_DOCUMENT_LIMITS)).toBeNull();
  });

  test('read from the environment', () => {
    expect(documentLimitsFromEnv({})).toEqual(DEFAULT_DOCUMENT_LIMITS);
    expect(documentLimitsFromEnv({ MAX_QUERY_TOKENS: '5000', MAX_QUERY_SELECTIONS: '300' })).toEqual({ maxTokens: 5000, maxSelections: 300 });
    expect(() => documentLimitsFromEnv({ MAX_QUERY_TOKENS: 'many' })).toThrow(/MAX_QUERY_TOKENS/);
  });
});
