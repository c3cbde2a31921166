// Debian's Chromium driven by playwright-core, as the browser suites use it.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: install it with apt-get install -y chromium`);
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

/** The requested URLs that left `origin` (data: and blob: URLs never leave the page). */
export function foreignRequests(urls: readonly string[], origin: string): string[] {
  return urls.filter((url) => !(url.startsWith('data:') || url.startsWith('blob:') || new URL(url).origin === origin));
}
