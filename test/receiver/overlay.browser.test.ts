// The overlay in a real headless Chromium, fed by the receiver replaying a real game
// (Centerrock 3v1, synthesized into protocol messages by tools/receiver/realGame.ts).
// Screenshots go to build/screenshots/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { pathToFileURL } from "node:url";
import path from "node:path";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiverApp } from "../../receiver/app.ts";
import type { ReceiverApp } from "../../receiver/app.ts";
import { standaloneOverlayHtml } from "../../receiver/overlay/assets.ts";
import { replayRecording } from "../../receiver/record/replay.ts";
import { recordingOf, synthesizeGame } from "../../tools/receiver/realGame.ts";
import { browserSkipReason, chromiumPath } from "../support/browser.ts";

const skip = browserSkipReason();
if (skip) console.warn(`overlay browser tests skipped: ${skip}`);

const SCREENSHOTS = path.resolve("build/screenshots");
const GAME_SECONDS = 783;

describe.skipIf(skip !== null)("overlay in headless Chromium", () => {
  let dir: string;
  let recording: string;
  let browser: Browser;
  let page: Page;
  let app: ReceiverApp | null = null;
  let replay: Promise<unknown> | null = null;
  const abort = new AbortController();

  async function startWithReplay(httpPort: number, secondsForGame: number): Promise<ReceiverApp> {
    const started = await startReceiverApp({
      host: "127.0.0.1",
      port: 0,
      httpPort,
      recordingsDir: null,
    });
    replay = replayRecording(recording, started.receiver, {
      speed: GAME_SECONDS / secondsForGame,
      signal: abort.signal,
    });
    return started;
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "overlay-test-"));
    recording = path.join(dir, "centerrock.ndjson");
    writeFileSync(recording, recordingOf(synthesizeGame("centerrock-3v1-2025.json")));
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: chromiumPath()!, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  }, 60_000);

  afterAll(async () => {
    abort.abort();
    await replay?.catch(() => undefined);
    await browser?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows the teams, follows the replay, marks the outage and recovers", async () => {
    const probe = await startReceiverApp({
      host: "127.0.0.1",
      port: 0,
      httpPort: 0,
      recordingsDir: null,
    });
    const httpPort = probe.http!.address.port;
    await probe.close();
    app = await startWithReplay(httpPort, 12);
    await page.goto(`http://127.0.0.1:${httpPort}/overlay?transparent=1`);
    await page.waitForSelector("#status[data-state=live]", { timeout: 20_000 });
    await page.waitForFunction(`document.querySelectorAll("[data-team-id]").length === 4`, null, {
      timeout: 20_000,
    });
    const names = await page.locator("[data-team-id] .name").allTextContents();
    // Grouped by ally team: the trio (teams 0, 1, 3) against the lone player (team 2).
    expect(names).toEqual(["Player 1", "Player 2", "Player 4", "Player 3"]);
    expect(await page.locator("[data-ally-team-id='1'] [data-team-id]").count()).toBe(1);
    const sides = await page.locator("[data-team-id] .side").allTextContents();
    expect(sides).toEqual(["Cortex", "Armada", "Armada", "Cortex"]);
    expect(
      await page.evaluate(
        `[getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.body).backgroundColor].join(" ")`,
      ),
    ).toBe("rgba(0, 0, 0, 0) rgba(0, 0, 0, 0)");

    // Updates as the replay advances: game time and army values move on.
    const frame = async () => Number(await page.evaluate(`document.body.dataset.frame ?? "0"`));
    const firstFrame = await frame();
    await page.waitForFunction(
      `Number(document.body.dataset.frame) >= ${firstFrame + 30 * 120}`,
      null,
      { timeout: 20_000 },
    );
    await page.waitForFunction(
      `document.querySelector("[data-team-id='0'] [data-metric=units]")?.textContent !== "1"`,
      null,
      { timeout: 20_000 },
    );
    await page.waitForFunction(
      `document.querySelectorAll("#chart-army canvas").length === 1`,
      null,
      { timeout: 5000 },
    );
    await page.screenshot({
      path: path.join(SCREENSHOTS, "overlay-live.png"),
      omitBackground: true,
    });
    // A half-size preview with its background, the kind docs/images/overlay-real-game.png is.
    const preview = await browser.newPage({
      viewport: { width: 1920, height: 1080 },
      deviceScaleFactor: 0.5,
    });
    await preview.goto(`http://127.0.0.1:${httpPort}/overlay`);
    await preview.waitForFunction(
      `document.querySelectorAll("[data-team-id]").length === 4`,
      null,
      {
        timeout: 20_000,
      },
    );
    await preview.screenshot({ path: path.join(SCREENSHOTS, "overlay-preview.png") });
    await preview.close();

    // The receiver goes away: the page says so.
    abort.abort();
    await replay;
    await app.close();
    app = null;
    await page.waitForSelector("#status[data-state=offline]", { timeout: 15_000 });
    expect(await page.locator("#status").textContent()).toMatch(/OFFLINE/);
    await page.screenshot({ path: path.join(SCREENSHOTS, "overlay-offline.png") });

    // It comes back (a new start of the receiver): the page reconnects and follows it.
    const again = new AbortController();
    app = await startReceiverApp({ host: "127.0.0.1", port: 0, httpPort, recordingsDir: null });
    replay = replayRecording(recording, app.receiver, {
      speed: GAME_SECONDS / 8,
      signal: again.signal,
    });
    await page.waitForSelector("#status[data-state=live]", { timeout: 20_000 });
    await page.waitForFunction(`document.querySelectorAll("[data-team-id]").length === 4`, null, {
      timeout: 20_000,
    });
    // The replay ends with bye: the page shows the game ended, with the winners' rows alive.
    await page.waitForSelector("#status[data-state=ended]", { timeout: 30_000 });
    expect(await page.locator("[data-team-id='2'].dead").count()).toBe(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, "overlay-ended.png") });
  }, 120_000);

  it("opened from its standalone file before the receiver runs, connects once it starts", async () => {
    await app?.close();
    app = null;
    const probe = await startReceiverApp({
      host: "127.0.0.1",
      port: 0,
      httpPort: 0,
      recordingsDir: null,
    });
    const httpPort = probe.http!.address.port;
    await probe.close();
    const file = path.join(dir, "overlay.html");
    writeFileSync(file, await standaloneOverlayHtml());
    const early = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await early.goto(`${pathToFileURL(file).href}?receiver=127.0.0.1:${httpPort}`);
    await early.waitForSelector("#status[data-state=offline]", { timeout: 10_000 });
    app = await startReceiverApp({ host: "127.0.0.1", port: 0, httpPort, recordingsDir: null });
    const running = new AbortController();
    replay = replayRecording(recording, app.receiver, {
      speed: GAME_SECONDS / 60,
      signal: running.signal,
    });
    await early.waitForSelector("#status[data-state=live]", { timeout: 20_000 });
    await early.waitForFunction(`document.querySelectorAll("[data-team-id]").length === 4`, null, {
      timeout: 20_000,
    });
    await early.close();
    running.abort();
    await replay;
  }, 60_000);
});
