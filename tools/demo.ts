/**
 * `npm run demo -- <game>`: the whole product on a real game, for a person to watch. Starts
 * the receiver (widgets on 127.0.0.1:9876, HTTP on 9877, recordings in recordings/),
 * prints the overlay's URL, and plays one of the shared real games (../shared/data/games)
 * in the BAR-like host with the built widget, at an accelerated speed a person can follow.
 * After the game it keeps serving until Ctrl+C, so the final scoreboard can be looked at.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { BarHost } from "../test/host/driver.ts";
import { surveyInterpreters } from "../test/support/interpreters.ts";
import { InProcessReceiver, Pipeline } from "../test/host/pipeline.ts";
import { GAME_FILES, readGame } from "../test/host/world-driver.ts";
import { parseArgs, REPO_ROOT, sleep, WIDGET_FILE } from "./bench/common.ts";

const USAGE = `Plays a real game through the widget, the receiver and the overlay.

  npm run demo -- <game> [options]

  <game>             ${GAME_FILES.join(", ")} (or the start of a name: colorado)
  --minutes N        wall minutes the game lasts (default 3)
  --pregame N        seconds between the overlay's URL and the game's start (default 10)
  --view V           fullview (default) or player (of --team)
  --team N           the player's team (default 0)
  --lua X            double (default) or float interpreter
  --port N           widget port (default 9876)
  --http-port N      HTTP port: API and overlay (default 9877)
  --recordings DIR   where the receiver records (default recordings)
  --exit             exit when the game is over instead of serving on`;

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  if (name === undefined || name.startsWith("-")) {
    console.log(USAGE);
    process.exit(name === "--help" || name === "-h" ? 0 : 2);
  }
  const args = parseArgs(
    rest,
    {
      minutes: "number",
      pregame: "number",
      view: "string",
      team: "number",
      lua: "string",
      port: "number",
      "http-port": "number",
      recordings: "string",
      exit: "boolean",
    },
    USAGE,
  );
  const game = GAME_FILES.find((f) => f === name || f.startsWith(name));
  if (game === undefined) {
    console.error(`no shared game named ${name}: ${GAME_FILES.join(", ")}`);
    process.exit(2);
  }
  const view = String(args.view ?? "fullview");
  if (view !== "fullview" && view !== "player") {
    console.error("--view must be fullview or player");
    process.exit(2);
  }
  if (!existsSync(WIDGET_FILE)) {
    console.error(`${WIDGET_FILE} does not exist: run npm run build`);
    process.exit(2);
  }
  const numbers = String(args.lua ?? "double");
  const lua = surveyInterpreters().available.find((l) => l.numbers === numbers);
  if (!lua) {
    console.error(`no ${numbers} Lua 5.1 interpreter: run \`sudo npm run setup:lua\` (README)`);
    process.exit(2);
  }
  const record = readGame(game);
  const minutes = Number(args.minutes ?? 3);
  const receiver = new InProcessReceiver({
    recordingsDir: path.resolve(REPO_ROOT, String(args.recordings ?? "recordings")),
    port: Number(args.port ?? 9876),
    httpPort: Number(args["http-port"] ?? 9877),
  });
  const pipeline = await Pipeline.start({
    interpreter: lua.path,
    receiver,
    maxSeconds: 24 * 3600,
    world: {
      driver: "game",
      game,
      seed: 3,
      view,
      viewTeam: Number(args.team ?? 0),
      speed: record.gameSeconds / (minutes * 60),
      truthTeams: false,
      truthDamage: false,
      autoStart: false,
    },
  });
  const stop = async () => {
    await pipeline.kill();
    pipeline.removeFiles();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  console.log(
    `${game}: ${record.teams.length} teams on ${record.map}, ${Math.round(record.gameSeconds / 60)} game minutes ` +
      `played in ${minutes} (${(record.gameSeconds / (minutes * 60)).toFixed(1)}x), as ${view === "fullview" ? "a full-view spectator" : `the player of team ${args.team ?? 0}`}, under ${lua.name}.\n` +
      `Overlay: http://127.0.0.1:${receiver.httpPort}/overlay  (OBS: add ?transparent=1)\n` +
      `API:     http://127.0.0.1:${receiver.httpPort}/api/state\n` +
      `Recording to ${receiver.recordingsDir}`,
  );
  const pregame = Number(args.pregame ?? 10);
  console.log(`The game starts in ${pregame} s: open the overlay now.`);
  await sleep(pregame * 1000);
  await pipeline.startGameWhenReady(120_000);
  console.log("The game has started.");
  const started = Date.now();
  const progress = setInterval(() => {
    void pipeline.widget().then(
      (w) =>
        console.log(
          `  ${Math.round((Date.now() - started) / 1000)} s: ${w.delivery.produced} messages, ` +
            `${w.delivery.acknowledged} acknowledged, ${w.delivery.dropped} dropped`,
        ),
      () => undefined,
    );
  }, 15_000);
  await pipeline.gameEnded(minutes * 60_000 * 3 + 60_000);
  clearInterval(progress);
  const w = await pipeline.settled(() => true, 60_000);
  console.log(
    `The game is over: ${w.delivery.produced} messages, all acknowledged, ${w.delivery.dropped} dropped.`,
  );
  if (args.exit) {
    await pipeline.stop();
    pipeline.removeFiles();
    return;
  }
  console.log("Serving the final state; Ctrl+C to stop.");
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  await BarHost.killAll();
  process.exit(1);
});
