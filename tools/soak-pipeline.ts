/**
 * The whole pipeline over a long game (`npm run soak:pipeline`): a synthetic 2-hour game
 * (the host's scale driver: a steady battle) played at accelerated time by the built
 * widget, connected to the receiver in its own process, which is stopped and started again
 * every --restart seconds (cleanly or killed outright, in turns, down for a seeded moment).
 *
 * The host runs the world in the widget's Lua state, and the world's memory grows with the
 * game (every team's statistics history, as the engine's), so a second host plays the
 * same world (same seed and speed) with no widget but the world probe, and the widget's
 * memory is the difference at the same game time.
 *
 * Passes only if
 * - the widget's Lua memory after a full collection stays flat: the lowest sample of the
 *   last quarter of the game is not above the first quarter's (after --warmup of it) by
 *   more than --tolerance-kb (the lowest, because while the receiver is down the widget
 *   keeps what it could not send: that is bounded, not a leak);
 * - the receiver's memory stays flat: its largest resident size in its last life is not
 *   above its first life's by more than --tolerance-mib (each life starts from a snapshot
 *   and grows to the same bounded state: the change feed, 2,048 chart samples);
 * - every socket the widget made was closed (none leaked or left open);
 * - nothing was lost: the recordings of all the receiver's lives hold every seq the widget
 *   produced, no gap; no error anywhere (widget, host, receiver).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BarHost } from "../test/host/driver.ts";
import { surveyInterpreters } from "../test/support/interpreters.ts";
import { Pipeline } from "../test/host/pipeline.ts";
import { readOneSession, ofType } from "../test/host/recording.ts";
import { FIXTURE_PROBE, worldConfig, type WorldConfig } from "../test/host/world-driver.ts";
import { random } from "../test/support/random.ts";
import { ChildReceiver } from "./bench/child-receiver.ts";
import {
  closedPort,
  describeMachine,
  fmt,
  machineInfo,
  parseArgs,
  REPO_ROOT,
  sleep,
  table,
  writeResults,
} from "./bench/common.ts";

const USAGE = `The whole pipeline over a 2-hour game with receiver restarts.

  npx tsx tools/soak-pipeline.ts [options]      (npm run soak:pipeline builds first)

  --game-minutes N   game length (default 120)
  --speed N          game speed, times real time (default 24: about 5 wall minutes)
  --lua X            float (default) or double
  --kills N          units destroyed (and rebuilt) per game second (default 4)
  --restart S        wall seconds between receiver restarts (default 40)
  --sample S         wall seconds between memory samples (default 5)
  --warmup F         fraction of the game left out of the memory check (default 0.25)
  --tolerance-kb N   growth of the widget's memory floor allowed (default 512)
  --tolerance-mib N  growth of the receiver's largest resident size allowed (default 40)
  --seed N           seed of the restarts (default 1)
  --out FILE         JSON results (default build/soak-pipeline-results.json)`;

interface Sample {
  wallSeconds: number;
  gameSeconds: number;
  /** The whole Lua state after a full collection: the world and the widget. */
  luaKb: number;
  /** The same less the world alone at the same game time (the baseline host). */
  widgetKb: number;
  receiverLife: number;
  receiverRssMiB: number | null;
  queuedMessages: number;
}

async function main(): Promise<void> {
  const args = parseArgs(
    process.argv.slice(2),
    {
      "game-minutes": "number",
      speed: "number",
      lua: "string",
      kills: "number",
      restart: "number",
      sample: "number",
      warmup: "number",
      "tolerance-kb": "number",
      "tolerance-mib": "number",
      seed: "number",
      out: "string",
    },
    USAGE,
  );
  const gameSeconds = Number(args["game-minutes"] ?? 120) * 60;
  const speed = Number(args.speed ?? 24);
  const kills = Number(args.kills ?? 4);
  const restartEvery = Number(args.restart ?? 40);
  const sampleEvery = Number(args.sample ?? 5);
  const warmup = Number(args.warmup ?? 0.25);
  const toleranceKb = Number(args["tolerance-kb"] ?? 512);
  const toleranceMiB = Number(args["tolerance-mib"] ?? 40);
  const numbers = String(args.lua ?? "float");
  const lua = surveyInterpreters().available.find((l) => l.numbers === numbers);
  if (!lua) {
    console.error(`no ${numbers} Lua 5.1 interpreter: run \`sudo npm run setup:lua\` (README)`);
    process.exit(2);
  }
  console.log("# Live Data Export: the whole pipeline over a long game\n");
  console.log(describeMachine(machineInfo([lua])).join("\n"));
  console.log(
    `\nA ${gameSeconds / 60}-minute synthetic game (8 teams x 250 units, ${kills} destroyed and rebuilt ` +
      `each game second, full view) at ${speed}x (about ${fmt(gameSeconds / speed / 60, 1)} wall ` +
      `minutes) under ${lua.name}; the receiver restarted every ${restartEvery} s.`,
  );

  const receiver = new ChildReceiver(
    await closedPort(),
    await closedPort(),
    mkdtempSync(path.join(os.tmpdir(), "ldx-soak-pipeline-")),
    true,
  );
  const world: WorldConfig = {
    driver: "scale",
    seed: 7,
    view: "fullview",
    speed,
    truthTeams: false,
    truthDamage: false,
    autoStart: false,
    scale: { teams: 8, unitsPerTeam: 250, killsPerSecond: kills, seconds: gameSeconds },
  };
  const pipeline = await Pipeline.start({
    interpreter: lua.path,
    receiver,
    fps: 60,
    quietSockets: true,
    maxSeconds: Math.ceil((gameSeconds / speed) * 3 + 600),
    world,
  });
  const baseWorld = worldConfig(world);
  const baseline = await BarHost.start({
    interpreter: lua.path,
    widget: FIXTURE_PROBE,
    statusApi: "WorldProbe",
    world: baseWorld.configPath,
    fps: 60,
    quietSockets: true,
    maxSeconds: Math.ceil((gameSeconds / speed) * 3 + 600),
    commandTimeoutMs: 30_000,
  });
  const worldAlone = new WorldMemory(baseline);
  const samples: Sample[] = [];
  const rand = random(Number(args.seed ?? 1));
  const restarts = { clean: 0, killed: 0 };
  const errors: string[] = [];
  const started = Date.now();
  try {
    await pipeline.startGameWhenReady(180_000);
    await baseline.world("start");
    let ended = false;
    const end = pipeline
      .gameEnded((gameSeconds / speed) * 3000 + 600_000)
      .then(() => (ended = true));
    let nextRestart = Date.now() + restartEvery * 1000;
    let lastReport = 0;
    while (!ended) {
      await Promise.race([sleep(sampleEvery * 1000), end]);
      if (ended) break;
      const gc = await pipeline.host.send("gc settle");
      const status = await pipeline.widget();
      const frame = Number((await pipeline.host.world("state")).frame);
      await worldAlone.sample();
      samples.push({
        wallSeconds: (Date.now() - started) / 1000,
        gameSeconds: frame / 30,
        luaKb: Number(gc.memoryKb),
        widgetKb: NaN,
        receiverLife: receiver.starts,
        receiverRssMiB: receiver.usage()?.rssMiB ?? null,
        queuedMessages: status.delivery.queuedMessages,
      });
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        const s = samples[samples.length - 1]!;
        console.log(
          `  ${fmt(s.wallSeconds, 0)} s, game ${fmt(s.gameSeconds / 60, 1)} min: Lua ${fmt(s.luaKb, 0)} KiB, ` +
            `receiver life ${s.receiverLife} ${fmt(s.receiverRssMiB ?? NaN, 0)} MiB, ${status.delivery.produced} messages`,
        );
      }
      if (Date.now() >= nextRestart) {
        const crash = (restarts.clean + restarts.killed) % 2 === 1;
        await receiver.stop(crash);
        restarts[crash ? "killed" : "clean"]++;
        await sleep(rand() * 3000);
        await receiver.start();
        nextRestart = Date.now() + restartEvery * 1000;
      }
    }
    const status = await pipeline.settled(() => true, 120_000);
    await worldAlone.finish();
    for (const sample of samples)
      sample.widgetKb = sample.luaKb - worldAlone.at(sample.gameSeconds);
    if (status.internalErrors) errors.push(`widget: ${status.lastInternalError}`);
    const exit = await pipeline.host.shutdown(60_000);
    await receiver.stop();
    for (const e of pipeline.host.errors)
      errors.push(`${e.kind} error in ${e.where}: ${e.message}`);
    for (const e of pipeline.host.events.filter((e) => e.type === "blocking_call")) {
      errors.push(`blocking socket call: ${String(e.name)}`);
    }
    if (/error/i.test(receiver.output))
      errors.push(`receiver wrote: ${receiver.output.slice(0, 300)}`);
    const recording = readOneSession(receiver.recordingsDir);
    const seqs = new Set(recording.messages.map((m) => m.seq));
    let missing = 0;
    for (let s = 1; s <= status.delivery.produced; s++) if (!seqs.has(s)) missing++;
    pipeline.removeFiles();

    // ---- the checks
    const measured = samples.filter((s) => s.gameSeconds >= warmup * gameSeconds);
    const quarter = Math.max(1, Math.floor(measured.length / 4));
    const floor = (list: Sample[]) => Math.min(...list.map((s) => s.widgetKb));
    const luaGrowth = floor(measured.slice(-quarter)) - floor(measured.slice(0, quarter));
    const lives = [...new Set(samples.map((s) => s.receiverLife))];
    const lifeMax = (life: number) =>
      Math.max(...samples.filter((s) => s.receiverLife === life).map((s) => s.receiverRssMiB ?? 0));
    const rssGrowth = lifeMax(lives[lives.length - 1]!) - lifeMax(lives[0]!);
    const sockets = exit.sockets;
    const checks: [string, string, boolean][] = [
      [
        `widget Lua memory (less the world's) floor, last quarter minus first, <= ${toleranceKb} KiB`,
        `${fmt(luaGrowth, 1)} KiB (${measured.length} samples, 8 needed)`,
        measured.length >= 8 && luaGrowth <= toleranceKb,
      ],
      [
        `receiver resident memory, largest of its last life minus its first, <= ${toleranceMiB} MiB`,
        `${fmt(rssGrowth, 1)} MiB over ${lives.length} lives (3 needed)`,
        lives.length >= 3 && rssGrowth <= toleranceMiB,
      ],
      [
        "every socket the widget made was closed",
        sockets
          ? `${sockets.created} created, ${sockets.closed} closed, ${sockets.leaked} leaked, ${sockets.open} open`
          : "unknown",
        !!sockets &&
          sockets.created === sockets.closed &&
          sockets.leaked === 0 &&
          sockets.open === 0,
      ],
      [
        "nothing lost: every seq recorded, no gap, nothing dropped",
        `${status.delivery.produced} produced, ${missing} missing, ${ofType(recording.messages, "gap").length} gaps, ${status.delivery.dropped} dropped, ${recording.duplicates} resent`,
        missing === 0 &&
          ofType(recording.messages, "gap").length === 0 &&
          status.delivery.dropped === 0,
      ],
      [
        "the receiver restarted (cleanly and killed)",
        `${restarts.clean} clean, ${restarts.killed} killed`,
        restarts.clean > 0 && restarts.killed > 0,
      ],
      ["no errors", String(errors.length), errors.length === 0],
      ["host exited cleanly", `code ${exit.code}`, exit.code === 0],
    ];
    const passed = checks.every(([, , ok]) => ok);
    const picks = [
      ...new Set(Array.from({ length: 11 }, (_, i) => Math.round((i * (samples.length - 1)) / 10))),
    ];
    console.log(
      "\nOver the game (Lua memory after a full collection; widget = less the world alone):\n",
    );
    console.log(
      table(
        [
          "wall s",
          "game min",
          "Lua KiB",
          "widget KiB",
          "queued",
          "receiver life",
          "receiver RSS MiB",
        ],
        picks.map((i) => {
          const s = samples[i]!;
          return [
            fmt(s.wallSeconds, 0),
            fmt(s.gameSeconds / 60, 1),
            fmt(s.luaKb, 0),
            fmt(s.widgetKb, 0),
            String(s.queuedMessages),
            String(s.receiverLife),
            fmt(s.receiverRssMiB ?? NaN, 0),
          ];
        }),
      ),
    );
    console.log("");
    console.log(
      table(
        ["check", "value", "ok"],
        checks.map(([c, v, ok]) => [c, v, ok ? "yes" : "NO"]),
        [false, true, true],
      ),
    );
    for (const e of errors.slice(0, 20)) console.log(`  error: ${e}`);
    const out = path.resolve(REPO_ROOT, String(args.out ?? "build/soak-pipeline-results.json"));
    writeResults(out, "live-data-export pipeline soak", {
      machine: machineInfo([lua]),
      wallSeconds: (Date.now() - started) / 1000,
      restarts,
      passed,
      checks,
      errors,
      samples,
    });
    console.log(
      `\nSoak ${passed ? "PASSED" : "FAILED"} in ${fmt((Date.now() - started) / 60000, 1)} min. Results: ${path.relative(REPO_ROOT, out)}.`,
    );
    if (!passed) process.exitCode = 1;
  } catch (error) {
    await pipeline.kill();
    throw error;
  } finally {
    await baseline.kill();
    rmSync(path.dirname(baseWorld.configPath), { recursive: true, force: true });
  }
}

/** The world alone (the baseline host): its Lua memory by game time, after a full collection. */
class WorldMemory {
  private readonly points: { gameSeconds: number; kb: number }[] = [];

  constructor(private readonly host: BarHost) {}

  async sample(): Promise<void> {
    const gc = await this.host.send("gc settle");
    const frame = Number((await this.host.world("state")).frame);
    this.points.push({ gameSeconds: frame / 30, kb: Number(gc.memoryKb) });
  }

  /** Samples until its game is over too (it may run behind). */
  async finish(): Promise<void> {
    while (!(await this.host.world("state")).ended) {
      await sleep(2000);
      await this.sample();
    }
    await this.sample();
  }

  /** Its memory at a game time, interpolated between samples. */
  at(gameSeconds: number): number {
    const p = [...this.points].sort((a, b) => a.gameSeconds - b.gameSeconds);
    const i = p.findIndex((x) => x.gameSeconds >= gameSeconds);
    if (i <= 0) return (p[Math.max(i, 0)] ?? p[p.length - 1])?.kb ?? NaN;
    const a = p[i - 1]!;
    const b = p[i]!;
    return (
      a.kb + ((b.kb - a.kb) * (gameSeconds - a.gameSeconds)) / (b.gameSeconds - a.gameSeconds || 1)
    );
  }
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  await BarHost.killAll();
  process.exit(1);
});
