/** The game world plays the 55-minute shared game (its own file: runs in parallel). */
import { worldGameTests } from "../host/world-games-suite.ts";
import { GAME_FILES } from "../host/world-driver.ts";
import { registerMissingInterpreterTests } from "../support/interpreters.ts";

registerMissingInterpreterTests();
worldGameTests(
  GAME_FILES.filter((f) => f.startsWith("colorado")),
  false,
);
