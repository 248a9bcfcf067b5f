/**
 * The widget's collection as a full-view spectator of the two shorter shared real games
 * (test/host/collect-games-suite.ts); Colorado runs in `npm run test:games`.
 */
import { registerCollectionGames } from "../host/collect-games-suite.ts";
import { registerMissingInterpreterTests } from "../support/interpreters.ts";

registerMissingInterpreterTests();

registerCollectionGames(["altored-divide-4v4-2020.json", "centerrock-3v1-2025.json"]);
