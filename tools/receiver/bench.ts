// npm run bench:receiver -- the receiver's figures for docs/receiver.md:
//  1. lines validated, applied and recorded per second, in the pipeline alone and over TCP;
//  2. memory over a simulated 55-minute game (the real Colorado 4v4 statistics, plus a
//     synthetic stream of unit events at a busy game's rate);
//  3. the overlay's update cost in headless Chromium (when one is installed).
// Not a test: it prints numbers. Run it alone, the machine otherwise idle.
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os, { tmpdir } from "node:os";
import path from "node:path";
import type { OutboundMessage, UnitEventRow } from "../../protocol/messages.ts";
import { startReceiverApp } from "../../receiver/app.ts";
import { Receiver } from "../../receiver/receiver.ts";
import { replayRecording } from "../../receiver/record/replay.ts";
import { chromiumPath } from "../../test/support/browser.ts";
import { recordingOf, synthesizeGame } from "./realGame.ts";

const EVENTS_PER_SECOND = { created: 4, finished: 4, destroyed: 3 };

/** The 55-minute game as one widget would send it: periodic messages plus unit events. */
function busyGame(): { lines: string[]; gameSeconds: number } {
  const game = synthesizeGame("colorado-4p4ai-2023.json", "bench000colorado");
  const out: OutboundMessage[] = [];
  let seq = 0;
  let unitID = 10_000;
  let lastFrame = 0;
  const economy = game.messages.find((m) => m.type === "economy")!;
  for (const message of game.messages) {
    if (message.type === "hello") continue;
    // Between two statistics periods: one economy message a second and the unit events.
    for (let frame = lastFrame + 30; frame < message.frame; frame += 30) {
      out.push({ ...economy, seq: 0, frame } as OutboundMessage);
      // The second's unit events, made in one frame one after another: one `unit_events`.
      const events: UnitEventRow[] = [];
      for (let i = 0; i < EVENTS_PER_SECOND.created; i++) {
        events.push(["created", ++unitID, 385, i % 8, 1]);
        events.push(["finished", unitID, 385, i % 8]);
      }
      for (let i = 0; i < EVENTS_PER_SECOND.destroyed; i++) {
        events.push(["destroyed", unitID - 20 + i, 385, i % 8, 5, 1003, (i + 1) % 8, 3]);
      }
      out.push({ type: "unit_events", seq: 0, frame, events });
    }
    out.push(message);
    lastFrame = Math.max(lastFrame, message.frame);
  }
  const hello = game.lines[0]!;
  const lines = [hello, ...out.map((m) => JSON.stringify({ ...m, seq: ++seq }))];
  return { lines, gameSeconds: lastFrame / 30 };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const perSecond = (n: number) => Math.round(n).toLocaleString("en");

/** Rounds after the first, which warms the JIT up and is left out of the medians. */
const PIPELINE_ROUNDS = 7;
const TCP_ROUNDS = 3;

function pipelineBench(lines: string[], dir: string): void {
  const buffers = lines.map((line) => Buffer.from(line));
  const bytes = buffers.reduce((sum, b) => sum + b.length, 0);
  console.log(
    `\n1. Pipeline (parse, validate with ajv, dedupe, reduce, record), ${lines.length} lines, ${mib(bytes)}:`,
  );
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round <= PIPELINE_ROUNDS; round++) {
    const receiver = new Receiver({ recordingsDir: path.join(dir, `pipeline-${round}`) });
    const connection = receiver.open({
      label: "bench",
      reply: () => undefined,
      close: () => undefined,
    });
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    for (const b of buffers) connection.line(b, b.length, true);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(cpuStart);
    // CPU time of the whole process (GC threads included), not wall time: on a shared
    // machine the wall clock also measures the others.
    const cpuSeconds = (used.user + used.system) / 1e6;
    const summary = receiver.summaries()[0]!;
    receiver.close();
    if (round > 0) {
      wall.push(lines.length / seconds);
      cpu.push(lines.length / cpuSeconds);
    }
    console.log(
      `   ${round === 0 ? "warm-up" : `round ${round}`}: ${perSecond(lines.length / seconds)} lines/s wall, ${perSecond(lines.length / cpuSeconds)} lines per CPU-second; accepted ${summary.linesAccepted}, invalid ${summary.invalid.total}, recorded ${summary.recording?.lines}`,
    );
  }
  console.log(
    `   median of ${PIPELINE_ROUNDS} rounds: ${perSecond(median(wall))} lines/s wall, ${perSecond(median(cpu))} lines per CPU-second`,
  );
}

async function tcpBench(lines: string[], dir: string): Promise<void> {
  const rates: number[] = [];
  for (let round = 1; round <= TCP_ROUNDS; round++) {
    const app = await startReceiverApp({
      port: 0,
      httpPort: null,
      recordingsDir: path.join(dir, `tcp-${round}`),
    });
    const socket = net.connect({ host: "127.0.0.1", port: app.widgetAddress.port });
    await once(socket, "connect");
    const payload = Buffer.from(`${lines.join("\n")}\n`);
    const start = process.hrtime.bigint();
    socket.write(payload);
    const session = "bench000colorado";
    await new Promise<void>((resolve) => {
      const check = () => {
        const s = app.receiver.sessions.get(session);
        if (s && s.linesAccepted === lines.length - 1) {
          app.receiver.off("event", check);
          resolve();
        }
      };
      app.receiver.on("event", check);
    });
    rates.push(lines.length / (Number(process.hrtime.bigint() - start) / 1e9));
    socket.destroy();
    await app.close();
  }
  console.log(
    `\n   over TCP (one widget connection, the same lines), wall: ${rates.map(perSecond).join(", ")} lines/s; median ${perSecond(median(rates))}`,
  );
}

function memoryBench(lines: string[], gameSeconds: number, dir: string): void {
  console.log(
    `\n2. Memory over the simulated ${Math.round(gameSeconds / 60)}-minute game (heap after GC where exposed):`,
  );
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const base = process.memoryUsage();
  const receiver = new Receiver({ recordingsDir: path.join(dir, "memory") });
  const connection = receiver.open({
    label: "bench",
    reply: () => undefined,
    close: () => undefined,
  });
  const marks = new Set([10, 20, 30, 40, 50, 55].map((m) => m * 60 * 30));
  for (const text of lines) {
    const b = Buffer.from(text);
    connection.line(b, b.length, true);
    const frame = receiver.sessions.values().next().value?.state.frame ?? 0;
    for (const mark of marks) {
      if (frame >= mark) {
        marks.delete(mark);
        gc?.();
        const m = process.memoryUsage();
        console.log(
          `   minute ${mark / 1800}: heap ${mib(m.heapUsed - base.heapUsed)} above start, rss ${mib(m.rss)}`,
        );
      }
    }
  }
  const state = [...receiver.sessions.values()][0]!.state;
  console.log(
    `   state JSON (GET /api/state): ${mib(JSON.stringify(state).length)}, chart samples ${state.history.time.length}, feed events kept ${receiver.feed.lastId - receiver.feed.firstId + 1}`,
  );
  receiver.close();
}

async function overlayBench(dir: string): Promise<void> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    console.log("\n3. Overlay: skipped, no Chromium (npm run setup:browser)");
    return;
  }
  const { chromium } = await import("playwright-core");
  const game = synthesizeGame("colorado-4p4ai-2023.json", "bench000overlay0");
  const file = path.join(dir, "colorado.ndjson");
  writeFileSync(file, recordingOf(game));
  const app = await startReceiverApp({ port: 0, httpPort: 0, recordingsDir: null });
  const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(`http://127.0.0.1:${app.http!.address.port}/overlay?transparent=1`);
  // 55 game minutes in 30 s: far more changes per second than a live game.
  const seconds = 30;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const before = (await cdp.send("Performance.getMetrics")).metrics;
  await replayRecording(file, app.receiver, { speed: (55 * 60) / seconds });
  await page.waitForTimeout(1000);
  const after = (await cdp.send("Performance.getMetrics")).metrics;
  const metric = (list: { name: string; value: number }[], name: string) =>
    list.find((m) => m.name === name)?.value ?? 0;
  const taskSeconds = metric(after, "TaskDuration") - metric(before, "TaskDuration");
  const renders = (await page.evaluate(
    `performance.getEntriesByName("overlay-render").map((e) => e.duration)`,
  )) as number[];
  renders.sort((a, b) => a - b);
  const pct = (p: number) =>
    renders[Math.min(renders.length - 1, Math.floor((renders.length * p) / 100))]!.toFixed(2);
  console.log(
    `\n3. Overlay in headless Chromium, the Colorado game replayed in ${seconds} s (8 teams):`,
  );
  console.log(
    `   redraws: ${renders.length}, median ${pct(50)} ms, p95 ${pct(95)} ms, max ${renders.at(-1)!.toFixed(2)} ms`,
  );
  console.log(
    `   page main-thread busy: ${((taskSeconds / (seconds + 1)) * 100).toFixed(1)} % of one core (TaskDuration ${taskSeconds.toFixed(2)} s over ${seconds + 1} s)`,
  );
  const heap = metric(after, "JSHeapUsedSize");
  console.log(`   page JS heap at the end: ${mib(heap)}`);
  await browser.close();
  await app.close();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "receiver-bench-"));
  try {
    const { lines, gameSeconds } = busyGame();
    console.log(
      `Receiver bench: node ${process.version}, ${process.platform}, ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}; ${lines.length} lines for a ${Math.round(gameSeconds / 60)}-minute game`,
    );
    pipelineBench(lines, dir);
    await tcpBench(lines, dir);
    memoryBench(lines, gameSeconds, dir);
    await overlayBench(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
