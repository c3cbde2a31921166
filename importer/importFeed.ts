import { createWriteStream, type WriteStream } from 'node:fs';
import { FeedUnreadableError, openFeed, validateFeedRow, type FeedEncoding, type ValidListing } from '../feed';
import type { PlatformsQuery, UpsertListingsMutation, UpsertListingsMutationVariables } from './generated/operations';
import { operation } from './operations';
import type { GatewayClient } from './gatewayClient';
import { ImportProgress } from './importProgress';

export const BATCH_SIZE = 1000;
// Two batches in flight: the next one travels while the catalog writes the last.
const IN_FLIGHT = 2;

export interface ImportOptions {
  file: string;
  platform: string;
  format?: 'csv' | 'jsonl';
  client: GatewayClient;
  explain: boolean;
  reportPath: string;
  batchSize?: number;
  /** Where the summary and explanations go (stdout). */
  out: NodeJS.WritableStream;
  /** Where progress goes (stderr); a bar on a terminal, plain lines elsewhere. */
  progress: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface ImportSummary {
  rowsRead: number;
  created: number;
  updated: number;
  unchanged: number;
  newProducts: number;
  linkedToExisting: number;
  rejected: number;
  /** The text encoding the feed was read in (UTF-8, or GB18030 for a GBK export); null when it could not be read. */
  encoding: FeedEncoding | null;
  reportPath: string | null;
  /** 0: every row imported; 2: some rows rejected, the rest imported; 1: nothing could be imported. */
  exitCode: 0 | 1 | 2;
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Streams a feed file into the running catalog through the gateway's
 * upsertListings mutation, in batches, so it behaves the same on every store
 * and never writes a database directly. Each row is validated here into the
 * mutation's ListingInput by the feed module the catalog validates with, so a
 * malformed value never costs a round trip; what the catalog still rejects
 * (an unknown county) is reported too.
 */
export async function importFeed(options: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = {
    rowsRead: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    newProducts: 0,
    linkedToExisting: 0,
    rejected: 0,
    encoding: null,
    reportPath: null,
    exitCode: 0,
  };
  let feed: Awaited<ReturnType<typeof openFeed>>;
  try {
    feed = await openFeed(options.file, options.format);
  } catch (err) {
    if (err instanceof FeedUnreadableError) {
      options.out.write(`cannot read ${options.file}: ${err.message}\nnothing was imported\n`);
      return { ...summary, exitCode: 1 };
    }
    throw err;
  }
  const { platforms } = await options.client.request<PlatformsQuery>(operation('Platforms'));
  if (!platforms.some((platform) => platform.code === options.platform)) {
    options.out.write(`unknown platform "${options.platform}": register it with npm run platform -- add ${options.platform} "<name>"\nnothing was imported\n`);
    return { ...summary, exitCode: 1 };
  }

  let report: WriteStream | null = null;
  const reject = (line: number, sku: string, field: string, reason: string) => {
    if (!report) {
      report = createWriteStream(options.reportPath);
      report.write('line,platform_sku,field,reason\n');
    }
    report.write(`${line},${csvField(sku)},${csvField(field)},${csvField(reason)}\n`);
  };
  const progress = new ImportProgress(options.progress, feed.size);
  const batchSize = options.batchSize ?? BATCH_SIZE;
  const inFlight = new Set<Promise<void>>();

  const send = async (batch: { line: number; listing: ValidListing }[]) => {
    const variables: UpsertListingsMutationVariables = {
      platform: options.platform,
      listings: batch.map(({ listing }) => listing),
      explain: options.explain,
    };
    const { upsertListings } = await options.client.request<UpsertListingsMutation>(operation('UpsertListings'), variables);
    summary.created += upsertListings.created;
    summary.updated += upsertListings.updated;
    summary.unchanged += upsertListings.unchanged;
    summary.newProducts += upsertListings.newProducts;
    summary.linkedToExisting += upsertListings.linkedToExisting;
    for (const result of upsertListings.results) {
      const { line, listing } = batch[result.index];
      if (result.status === 'REJECTED') {
        summary.rejected += 1;
        for (const problem of result.problems) reject(line, listing.platformSku, problem.field, problem.reason);
      }
      if (options.explain) {
        const target = result.product ? ` -> ${result.product.id}${result.productCreated ? ' (new product)' : ''}` : '';
        options.out.write(`line ${line} ${listing.platformSku}: ${result.status}${target}${result.match ? `: ${result.match}` : ''}\n`);
      }
    }
    progress.update(summary.rowsRead, feed.bytesRead);
  };

  const dispatch = async (batch: { line: number; listing: ValidListing }[]) => {
    const pending: Promise<void> = send(batch).finally(() => inFlight.delete(pending));
    inFlight.add(pending);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  };

  let batch: { line: number; listing: ValidListing }[] = [];
  try {
    for await (const record of feed.records) {
      summary.rowsRead += 1;
      if ('error' in record) {
        summary.rejected += 1;
        reject(record.line, '', 'record', record.error);
        continue;
      }
      const checked = validateFeedRow(record.raw);
      if (!checked.listing) {
        summary.rejected += 1;
        const sku = typeof record.raw.platform_sku === 'string' ? record.raw.platform_sku : '';
        for (const problem of checked.problems) reject(record.line, sku, problem.field, problem.reason);
        continue;
      }
      batch.push({ line: record.line, listing: checked.listing });
      if (batch.length >= batchSize) {
        await dispatch(batch);
        batch = [];
      }
      if (summary.rowsRead % 5000 === 0) progress.update(summary.rowsRead, feed.bytesRead);
    }
    if (batch.length) await dispatch(batch);
    await Promise.all(inFlight);
  } finally {
    const open = report as WriteStream | null;
    if (open) await new Promise<void>((resolve) => open.end(() => resolve()));
    progress.done(summary.rowsRead);
  }

  summary.encoding = feed.encoding;
  summary.reportPath = summary.rejected > 0 ? options.reportPath : null;
  summary.exitCode = summary.rejected > 0 ? 2 : 0;
  options.out.write(
    [
      `rows read:              ${summary.rowsRead}`,
      `encoding read:          ${summary.encoding === 'GB18030' ? 'GB18030 (GBK)' : 'UTF-8'}`,
      `listings created:       ${summary.created}`,
      `listings updated:       ${summary.updated}`,
      `listings unchanged:     ${summary.unchanged}`,
      `new catalog products:   ${summary.newProducts}`,
      `linked to existing:     ${summary.linkedToExisting}`,
      `rows rejected:          ${summary.rejected}`,
      `peak memory (RSS):      ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`,
      ...(summary.reportPath ? [`rejected rows report:   ${summary.reportPath}`] : []),
      '',
    ].join('\n'),
  );
  return summary;
}
