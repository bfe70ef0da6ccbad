/**
 * End to end in headless Chromium: the page served by `translator serve` loads the checkpoint into the browser,
 * translates a typed sentence there, and must agree with the server's JSON API; then translates through the API
 * from the page. Needs a Chromium (Debian: `apt-get install -y chromium`; or CHROMIUM_PATH); without one the
 * test is skipped with that message. The page is built here (vite build into a temporary directory), so the
 * test needs no earlier build step.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServedModel } from '../src/serve/served-model.js';
import { type RunningServer, startServer } from '../src/serve/server.js';
import { writeServeCheckpoint } from './serve-fixture.js';

// CHROMIUM_PATH, when set, is the only place looked at.
const candidates = process.env.CHROMIUM_PATH
  ? [process.env.CHROMIUM_PATH]
  : [
      '/usr/bin/chromium',
      '/usr/bin/chromium-browser',
      '/usr/bin/google-chrome',
      '/usr/bin/google-chrome-stable',
    ];
const chromiumPath = candidates.find((path) => existsSync(path));
const skipMessage = `no Chromium found (looked for ${candidates.join(', ')}): install it with "apt-get install -y chromium" (Debian/Ubuntu) or set CHROMIUM_PATH`;
if (!chromiumPath) console.warn(`serve e2e test skipped: ${skipMessage}`);

const sentence = 'the small dog is red .';

let dir: string;
let server: RunningServer;
let browser: Browser;

describe.runIf(chromiumPath)('translator serve in Chromium', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'translator-serve-e2e-'));
    await writeServeCheckpoint(join(dir, 'model'));
    const webDir = join(dir, 'web');
    await build({
      configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
      logLevel: 'warn',
      build: { outDir: webDir, emptyOutDir: true, sourcemap: false },
    });
    server = await startServer({ model: await loadServedModel(join(dir, 'model')), webDir });
    // As root (CI, containers) Chromium's sandbox cannot start.
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('translates in the browser as the server does, draws the attention, and can ask the server instead', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });

    const runtime = page.locator('#runtime');
    const info = {
      text: await runtime.textContent(),
      backend: await runtime.getAttribute('data-backend'),
      threads: Number(await runtime.getAttribute('data-threads')),
      isolated: await runtime.getAttribute('data-isolated'),
    };
    console.log(`serve e2e: ${await page.locator('#model').textContent()} ${info.text}`);
    // The server's COOP/COEP headers make the page cross-origin isolated: SharedArrayBuffer, so wasm threads.
    expect(info.isolated).toBe('true');
    expect(info.backend).toBe('wasm');
    expect(info.threads).toBeGreaterThanOrEqual(1);

    const api = await fetch(`${server.url}api/translate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: sentence }),
    });
    const [expected] = (await api.json()).translations;
    expect(expected.text.length).toBeGreaterThan(0);

    await page.fill('#source', sentence);
    await page.click('#translate');
    await page.waitForSelector('#result[data-engine="browser"]');
    expect(await page.locator('#translation').textContent()).toBe(expected.text);
    expect(await page.locator('#timing').textContent()).toMatch(/^Translated in this browser in [\d.]+ ms/);
    const heatmap = page.locator('#heatmap svg');
    await expect(heatmap.count()).resolves.toBe(1);
    // One cell per (decoding step, source token), each with its weight as a tooltip.
    const cells = await page.locator('#heatmap svg rect title').count();
    expect(cells).toBe(expected.attention.length * expected.sourceTokens.length);
    expect(await page.locator('#heatmap svg text.source').allTextContents()).toEqual(expected.sourceTokens);

    await page.check('input[name="engine"][value="server"]');
    await page.click('#translate');
    await page.waitForSelector('#result[data-engine="server"]');
    expect(await page.locator('#translation').textContent()).toBe(expected.text);
    expect(await page.locator('#timing').textContent()).toMatch(/^Translated on the server in/);
    await expect(page.locator('#heatmap svg').count()).resolves.toBe(1);

    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});

// Where there is no Chromium, a skipped test says how to get one.
if (!chromiumPath) it.skip(`translator serve in Chromium: ${skipMessage}`, () => {});
