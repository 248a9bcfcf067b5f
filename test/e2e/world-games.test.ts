/** The game world plays the two 13-minute shared games and the scale scenario. */
import { worldGameTests } from "../host/world-games-suite.ts";
import { GAME_FILES } from "../host/world-driver.ts";
import { registerMissingInterpreterTests } from "../support/interpreters.ts";

registerMissingInterpreterTests();
worldGameTests(
  GAME_FILES.filter((f) => !f.startsWith("colorado")),
  true,
);
