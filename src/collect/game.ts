/**
 * The game as a whole (frame, speed, map, versions, gameID). Constants are read once;
 * the rest is cheap and read whenever a snapshot is built.
 */
import type { GameState } from "./model";
import type { GameConstants, GameReader } from "./reader";

/** BAR's synced gadget `game_id.lua` publishes the engine's GameID under this name. */
export const GAME_ID_PARAM = "GameID";

export class GameCollector {
  private constants: GameConstants | undefined;
  private gameID: string | undefined;
  /** GameStart seen (the frame alone is 0 until the first simulated frame). */
  started = false;

  constructor(private readonly reader: GameReader) {}

  /** `GameID` once BAR has set it (32 hex characters); cached once known. */
  readGameID(): string | undefined {
    if (this.gameID === undefined) {
      const value = this.reader.gameRulesParam(GAME_ID_PARAM);
      if (typeof value === "string" && value !== "") this.gameID = value;
    }
    return this.gameID;
  }

  read(): GameState {
    const r = this.reader;
    if (this.constants === undefined) this.constants = r.constants();
    const c = this.constants;
    const speed = r.gameSpeed();
    const frame = r.gameFrame();
    const view = r.localView();
    return {
      mapName: c.mapName,
      mapSizeX: c.mapSizeX,
      mapSizeZ: c.mapSizeZ,
      gameName: c.gameName,
      gameVersion: c.gameVersion,
      engineVersion: c.engineVersion,
      frame,
      gameSeconds: r.gameSeconds(),
      wantedSpeed: speed.wantedSpeed,
      speed: speed.speed,
      paused: speed.paused,
      started: this.started || frame > 0,
      over: r.isGameOver(),
      replay: view.replay,
      gameID: this.readGameID(),
    };
  }
}
