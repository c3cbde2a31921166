// Imports a member platform's listing feed into the running catalog:
//   npm run import -- --platform jd feed.csv [--format csv|jsonl] [--explain]
//       [--gateway http://127.0.0.1:4000/graphql] [--token T] [--report path] [--batch 1000]
// Exit status: 0 every row imported, 2 some rows rejected (see the report), 1 nothing imported.
import { parseArgs } from 'node:util';
import { commandToken, DEFAULT_GATEWAY_URL, GatewayClient } from '../importer/gatewayClient';
import { BATCH_SIZE, importFeed } from '../importer/importFeed';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      platform: { type: 'string' },
      format: { type: 'string' },
      gateway: { type: 'string', default: DEFAULT_GATEWAY_URL },
      token: { type: 'string' },
      explain: { type: 'boolean', default: false },
      report: { type: 'string' },
      batch: { type: 'string', default: String(BATCH_SIZE) },
    },
  });
  const [file] = positionals;
  if (!values.platform || !file) {
    console.error(
      'usage: npm run import -- --platform <code> <file.csv|file.jsonl> [--format csv|jsonl] [--explain] [--gateway URL] [--token T] [--report path]',
    );
    return 1;
  }
  if (values.format && values.format !== 'csv' && values.format !== 'jsonl') {
    console.error(`--format must be csv or jsonl, got "${values.format}"`);
    return 1;
  }
  const batchSize = Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) {
    console.error('--batch must be a whole number from 1 to 1000');
    return 1;
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const client = new GatewayClient(
    values.gateway ?? DEFAULT_GATEWAY_URL,
    commandToken(values.token, { sub: `importer:${values.platform}`, roles: ['partner'], platform: values.platform }),
  );
  const summary = await importFeed({
    file,
    platform: values.platform,
    format: values.format as 'csv' | 'jsonl' | undefined,
    client,
    explain: values.explain ?? false,
    reportPath: values.report ?? `import-report-${values.platform}-${stamp}.csv`,
    batchSize,
    out: process.stdout,
    progress: process.stderr,
  });
  return summary.exitCode;
}

main()
  .then((code) => process.exit(code))
  .catch((err: Error) => {
    console.error(`import failed: ${err.message}`);
    process.exit(1);
  });
