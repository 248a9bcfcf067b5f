/**
 * `npm run test:games`: the widget's collection as a full-view spectator of Colorado
 * (test/host/collect-games-suite.ts), the longest shared game; the two shorter ones run in
 * `npm test` (test/e2e/world-collect-games.test.ts).
 */
import { registerCollectionGames } from "../host/collect-games-suite.ts";
import { registerMissingInterpreterTests } from "../support/interpreters.ts";

registerMissingInterpreterTests();

registerCollectionGames(["colorado-4p4ai-2023.json"]);
