// The live game state for tool authors: feed the widget's messages (parsed NDJSON lines) to
// applyMessage and read the state or the derived metrics. No Node APIs: runs in a browser too.
//
//   import { createGameState, applyMessage, gameMetrics } from "./receiver/state/index.ts";
//   const state = createGameState(hello.session);
//   for (const message of messages) applyMessage(state, message);
//   console.log(gameMetrics(state));
export { createGameState } from "./gameState.ts";
export type { DefCounts, GameState, History, TeamState, TickerEvent } from "./gameState.ts";
export { applyMessage, MAX_HISTORY_SAMPLES, MAX_TICKER_EVENTS } from "./reducer.ts";
export { armyValue, damageEfficiency, gameMetrics, teamMetrics } from "./metrics.ts";
export type { TeamMetrics } from "./metrics.ts";
