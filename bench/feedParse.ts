// Times the part of an import that happens before any batch is sent: reading
// a feed file and validating every row. One pass per process, as the import
// command makes it:
//   npx tsx bench/feedParse.ts <feed.csv|feed.jsonl>
// The import benchmark's feed (npm run bench:import) is
//   npx tsx scripts/generateFeed.ts --rows 100000 --format csv --out /tmp/feed.csv --seed 7 --platform bench --bases 833
import { openFeed, validateFeedRow } from '../feed';

async function main(): Promise<void> {
  const [file] = process.argv.slice(2);
  if (!file) throw new Error('usage: npx tsx bench/feedParse.ts <feed.csv|feed.jsonl>');
  const started = process.hrtime.bigint();
  const cpuAtStart = process.cpuUsage();
  const feed = await openFeed(file);
  let rows = 0;
  let valid = 0;
  for await (const record of feed.records) {
    rows += 1;
    if (!('error' in record) && validateFeedRow(record.raw).listing) valid += 1;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // On a shared machine the CPU time is the steadier figure.
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const peakMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(
    `${rows} rows (${valid} valid) read and validated in ${seconds.toFixed(2)} s (${cpuSeconds.toFixed(2)} s CPU), ${Math.round(rows / seconds)} rows/s, peak RSS ${peakMiB} MiB`,
  );
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
