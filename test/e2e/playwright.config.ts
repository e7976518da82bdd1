// Browser tests: real Chromium (Debian's, or PLAYWRIGHT_CHROMIUM_EXECUTABLE) driving the studio through the real host.
import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const chromium = process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  throw new Error(`Chromium not found at ${chromium}: install it (apt-get install chromium) or set PLAYWRIGHT_CHROMIUM_EXECUTABLE.`);
}

export default defineConfig({
  testDir: here,
  testMatch: '*.spec.ts',
  outputDir: path.join(here, '../../test-results/e2e'),
  // Generous: the suite shares 2 cores with every other runner, and a cold host start can take seconds.
  timeout: 120_000,
  expect: { timeout: 15_000 },
  workers: 1,
  fullyParallel: false,
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: chromium, args: ['--no-sandbox'] },
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
  },
});
