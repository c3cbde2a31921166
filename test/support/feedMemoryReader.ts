// Reads and validates a feed file in a process of its own, as the import
// command does, and prints what test/feedMemory.e2e.ts checks as JSON: rows
// read and valid, bytes read and the file size, the RSS after a tenth of the
// rows and its peak. Outside Jest because there every global lookup goes
// through the test environment's proxy, and csv-parse makes one for each
// byte it reads: in a test process the million rows take several times as
// long as in the importer's.
//   tsx test/support/feedMemoryReader.ts <feed.csv> <rows>
import { openFeed, validateFeedRow } from '../../feed';

async function main(): Promise<void> {
  const [file, rowsText] = process.argv.slice(2);
  const rows = Number(rowsText);
  const feed = await openFeed(file);
  let valid = 0;
  let read = 0;
  let rssAtTenth = 0;
  let peak = 0;
  for await (const record of feed.records) {
    read += 1;
    if (!('error' in record) && validateFeedRow(record.raw).listing) valid += 1;
    if (read % 50_000 === 0) {
      const rss = process.memoryUsage().rss;
      if (read === rows / 10) rssAtTenth = rss;
      peak = Math.max(peak, rss);
    }
  }
  process.stdout.write(JSON.stringify({ read, valid, bytesRead: feed.bytesRead, size: feed.size, rssAtTenth, peak }));
}

main().catch((err: unknown) => {
  console.error((err as Error).stack);
  process.exit(1);
});
