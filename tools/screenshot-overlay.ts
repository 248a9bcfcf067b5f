/**
 * `npm run screenshot`: regenerates docs/images/overlay-real-game.png, the overlay on a real
 * game played through the whole pipeline: the built widget plays one of the shared games
 * (default Colorado, 4 players and 4 AIs) in the host as a full-view spectator, the receiver
 * records and serves it, and a headless Chromium takes the overlay's picture once the game
 * is over and everything is delivered (a half-size preview with its dark background).
 */
import path from "node:path";
import { BarHost } from "../test/host/driver.ts";
import { surveyInterpreters } from "../test/support/interpreters.ts";
import { InProcessReceiver, Pipeline } from "../test/host/pipeline.ts";
import { GAME_FILES, readGame } from "../test/host/world-driver.ts";
import { launchChromium, overlayCaughtUp } from "../test/support/overlay-page.ts";
import { parseArgs, REPO_ROOT } from "./bench/common.ts";

const USAGE = `npm run screenshot [-- --game <file> --seconds N --out FILE]

  --game FILE    one of ${GAME_FILES.join(", ")} (default colorado-4p4ai-2023.json)
  --seconds N    wall seconds the game lasts (default 60)
  --out FILE     default docs/images/overlay-real-game.png`;

async function main(): Promise<void> {
  const args = parseArgs(
    process.argv.slice(2),
    { game: "string", seconds: "number", out: "string" },
    USAGE,
  );
  const game = String(args.game ?? "colorado-4p4ai-2023.json");
  const record = readGame(game);
  const lua = surveyInterpreters().available[0];
  if (!lua) throw new Error("no Lua 5.1 interpreter: run `sudo npm run setup:lua` (README)");
  const out = path.resolve(REPO_ROOT, String(args.out ?? "docs/images/overlay-real-game.png"));
  const receiver = new InProcessReceiver();
  const pipeline = await Pipeline.start({
    interpreter: lua.path,
    receiver,
    fps: 1000,
    world: {
      driver: "game",
      game,
      seed: 3,
      view: "fullview",
      speed: record.gameSeconds / Number(args.seconds ?? 60),
      truthTeams: false,
      truthDamage: false,
      autoStart: false,
    },
  });
  const browser = await launchChromium();
  try {
    await pipeline.startGameWhenReady(120_000);
    await pipeline.gameEnded(600_000);
    await pipeline.settled(() => true, 120_000);
    const page = await browser.newPage({
      viewport: { width: 1920, height: 1080 },
      deviceScaleFactor: 0.5,
    });
    await page.goto(`http://127.0.0.1:${receiver.httpPort}/overlay`);
    await overlayCaughtUp(page, receiver.app!.receiver.feed.lastId);
    await page.screenshot({ path: out });
    console.log(
      `${path.relative(REPO_ROOT, out)}: ${game}, the final state, as the overlay shows it`,
    );
    await pipeline.stop();
    pipeline.removeFiles();
  } catch (error) {
    await pipeline.kill();
    throw error;
  } finally {
    await browser.close();
  }
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  await BarHost.killAll();
  process.exit(1);
});
