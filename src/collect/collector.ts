/**
 * The collection as one object: the call-ins record into it (cheap, O(1), no table per
 * unit event), its jobs do the heavy work within a budget, and the
 * consumer (the protocol layer) takes `changes` and asks for a `snapshot()`.
 *
 * Wired by src/app/collection.ts: each call-in of main.ts calls the method of the
 * same name (the unit call-ins through the inbox, src/collect/inbox.ts, a drawn frame
 * later, with the frame they were called in); every spec of `jobs()` is registered with the scheduler; `checkView()`
 * runs from `PlayerChanged` (done here) and from the `view` job once a second.
 */
import { Budget, FRAMES_PER_SECOND, Job, JobSpec } from "./budget";
import { UnitDefCatalog } from "./catalog";
import { ChangeQueue } from "./changes";
import { DamageAggregator } from "./damage";
import { UNIT_CREATED, UNIT_DESTROYED, UNIT_FINISHED, UNIT_GIVEN, UNIT_TAKEN } from "./event-batch";
import { TeamDirectory } from "./directory";
import { EconomySampler } from "./economy";
import { GameCollector } from "./game";
import type { Change, ExtFields, Snapshot, View } from "./model";
import { PositionScan } from "./positions";
import type { GameReader } from "./reader";
import { readPlayer, readPlayers, readTeams } from "./roster";
import { CollectSettings, defaultCollectSettings } from "./settings";
import { StatsTracker } from "./stats";
import { ReconcileJob, UnitCountsJob, UnitTracker } from "./units";
import { isView, readView, viewOf } from "./view";
import { deriveWinners } from "./winners";

/** Runs `job` only while `enabled()` says so; a run started while off finishes at once. */
class Gated implements Job {
  private on = false;

  constructor(
    private readonly job: Job,
    private readonly enabled: () => boolean,
  ) {}

  begin(budget: Budget): void {
    this.on = this.enabled();
    if (this.on && this.job.begin !== undefined) this.job.begin(budget);
  }

  step(budget: Budget): boolean {
    return this.on ? this.job.step(budget) : true;
  }
}

export interface CollectorOptions {
  settings?: CollectSettings;
  /** Changes kept when nobody takes them (see ChangeQueue). */
  changeLimit?: number;
  /**
   * Told after a view change reset the view's state, so the owner can restart the
   * jobs whose runs started under the old view (and run the unit rescan now).
   */
  onViewChange?: (this: void, view: View) => void;
  /**
   * Told when the game ends, so the owner can sample the economy once more: the engine's
   * last update comes with the end, often less than a game second after the last sample.
   */
  onGameOver?: (this: void) => void;
}

export class Collector {
  settings: CollectSettings;
  readonly changes: ChangeQueue;
  readonly teams: TeamDirectory;
  readonly game: GameCollector;
  readonly economy: EconomySampler;
  readonly stats: StatsTracker;
  readonly catalog: UnitDefCatalog;
  readonly units: UnitTracker;
  readonly positions: PositionScan;
  readonly damage: DamageAggregator;
  private view: View;
  private pinnedFrame: number | undefined;
  private readonly onViewChange: ((this: void, view: View) => void) | undefined;
  private readonly onGameOver: ((this: void) => void) | undefined;

  constructor(
    private readonly reader: GameReader,
    options: CollectorOptions = {},
  ) {
    this.settings = options.settings ?? defaultCollectSettings();
    this.onViewChange = options.onViewChange;
    this.onGameOver = options.onGameOver;
    this.changes = new ChangeQueue(options.changeLimit);
    this.teams = new TeamDirectory(reader);
    this.teams.refresh();
    this.view = readView(reader);
    const view = (): View => this.view;
    this.game = new GameCollector(reader);
    this.economy = new EconomySampler(reader, this.teams, view, this.changes);
    this.stats = new StatsTracker(reader, this.teams, view, this.changes);
    this.catalog = new UnitDefCatalog(reader);
    this.units = new UnitTracker(reader, this.teams, view);
    this.units.resetAll();
    this.positions = new PositionScan(reader, this.teams, this.changes);
    this.damage = new DamageAggregator(this.changes);
  }

  currentView(): View {
    return this.view;
  }

  /**
   * The frame the calls that follow were made in by the engine (the unit inbox hands
   * over stored call-ins a drawn frame later); undefined: the engine's frame now.
   */
  pinFrame(frame: number | undefined): void {
    this.pinnedFrame = frame;
  }

  private frameNow(): number {
    return this.pinnedFrame ?? this.reader.gameFrame();
  }

  /**
   * Reads who is watching; on a change records `view_changed` and starts the view's
   * state afresh (the receiver should get a new snapshot). Cheap: five engine reads.
   */
  checkView(): boolean {
    const local = this.reader.localView();
    if (isView(local, this.view)) return false;
    const next = viewOf(local);
    const previous = this.view;
    this.view = next;
    this.teams.refresh();
    this.economy.reset();
    this.units.resetAll();
    this.damage.clear();
    this.changes.push({
      type: "view_changed",
      frame: this.frameNow(),
      view: next,
      previous,
    });
    if (this.onViewChange !== undefined) this.onViewChange(next);
    return true;
  }

  /** The whole current state. Reads players and teams now (a few dozen engine calls). */
  snapshot(): Snapshot {
    const game = this.game.read();
    const economy = [];
    for (const teamID of this.teams.teamIDs) {
      const e = this.economy.latest.get(teamID);
      if (e !== undefined) economy.push(e);
    }
    return {
      frame: game.frame,
      game,
      view: this.view,
      players: readPlayers(this.reader),
      teams: readTeams(this.reader),
      economy,
      units: this.units.current(),
      stats: this.stats.readable(this.view, game.over),
    };
  }

  /** Removes and returns up to `max` recorded changes, oldest first. */
  takeChanges(max?: number): Change[] {
    return this.changes.take(max);
  }

  /** The jobs to register with the scheduler, with their rates from the settings. */
  jobs(): JobSpec[] {
    const s = this.settings;
    const view: Job = { step: () => (this.checkView(), true) };
    return [
      { name: "collect.view", kind: "events", job: view, everySeconds: 1 },
      {
        name: "collect.economy",
        kind: "periodic",
        job: new Gated(this.economy, () => this.settings.economy),
        everySeconds: s.economySeconds,
        everyFrames: math.ceil(s.economySeconds * FRAMES_PER_SECOND),
      },
      {
        name: "collect.units",
        kind: "periodic",
        job: new Gated(
          new UnitCountsJob(this.units, this.teams, this.changes),
          () => this.settings.units,
        ),
        everySeconds: s.unitsSeconds,
      },
      {
        name: "collect.reconcile",
        kind: "background",
        job: new Gated(new ReconcileJob(this.units, this.teams), () => this.settings.units),
        everySeconds: s.reconcileSeconds,
      },
      {
        name: "collect.stats",
        kind: "periodic",
        job: new Gated(this.stats, () => this.settings.stats),
        everySeconds: s.statsSeconds,
      },
      {
        name: "collect.positions",
        kind: "periodic",
        job: new Gated(this.positions, () => this.settings.positions),
        everySeconds: s.positionsSeconds,
      },
      {
        name: "collect.damage",
        kind: "periodic",
        job: new Gated(this.damage, () => this.settings.damage),
        everySeconds: s.damageSeconds,
      },
      {
        name: "collect.unitdefs",
        kind: "background",
        job: new Gated(this.catalog, () => this.settings.unitdefs),
        once: true,
      },
    ];
  }

  // ---- Call-ins: record only. -------------------------------------------------

  private event(change: Change): void {
    if (this.settings.events) this.changes.push(change);
  }

  gameStart(): void {
    this.game.started = true;
    this.event({ type: "game_started", frame: this.frameNow() });
  }

  /**
   * Another widget's event (checked by the caller), recorded in order with the game's
   * own whatever the category switches say: the publisher asked for it.
   */
  external(name: string, fields: ExtFields): void {
    this.changes.push({ type: "ext", frame: this.frameNow(), name, fields });
  }

  gamePaused(playerID: PlayerID | undefined, paused: boolean): void {
    const frame = this.frameNow();
    this.event(
      paused ? { type: "game_paused", frame, playerID } : { type: "game_resumed", frame, playerID },
    );
  }

  gameOver(): void {
    const winners = deriveWinners(readTeams(this.reader));
    this.event({
      type: "game_over",
      frame: this.frameNow(),
      winners,
      winnersDerived: true,
    });
    if (this.onGameOver !== undefined) this.onGameOver();
  }

  teamDied(teamID: TeamID): void {
    this.event({ type: "team_died", frame: this.frameNow(), teamID });
  }

  teamChanged(_teamID: TeamID): void {
    this.teams.refresh();
  }

  playerChanged(playerID: PlayerID): void {
    // The local player becoming a spectator, `/specfullview`: a new view.
    this.checkView();
    this.playerEvent("player_changed", playerID);
  }

  playerAdded(playerID: PlayerID): void {
    this.playerEvent("player_added", playerID);
  }

  playerRemoved(playerID: PlayerID): void {
    this.event({ type: "player_removed", frame: this.frameNow(), playerID });
  }

  private playerEvent(type: "player_added" | "player_changed", playerID: PlayerID): void {
    if (!this.settings.events) return;
    const player = readPlayer(this.reader, playerID);
    if (player === undefined) return;
    const frame = this.frameNow();
    this.event(
      type === "player_added" ? { type, frame, player } : { type: "player_changed", frame, player },
    );
  }

  // The unit events below check `events` before recording: at the frame-rate guard's last
  // step a battle's hundreds of calls a second record nothing. They go into the queue's
  // batches (src/collect/event-batch.ts): no table per event.

  unitCreated(unitID: UnitID, unitDefID: UnitDefID, teamID: TeamID, builderID?: UnitID): void {
    this.units.created(unitID, unitDefID, teamID);
    if (!this.settings.events) return;
    const frame = this.pinnedFrame ?? this.reader.gameFrame();
    this.changes.pushUnitEvent(UNIT_CREATED, frame, unitID, unitDefID, teamID, builderID);
  }

  unitFinished(unitID: UnitID, unitDefID: UnitDefID, teamID: TeamID): void {
    this.units.finished(unitID, unitDefID, teamID);
    if (!this.settings.events) return;
    const frame = this.pinnedFrame ?? this.reader.gameFrame();
    this.changes.pushUnitEvent(UNIT_FINISHED, frame, unitID, unitDefID, teamID);
  }

  unitDestroyed(
    unitID: UnitID,
    unitDefID: UnitDefID,
    teamID: TeamID,
    attackerID?: UnitID,
    attackerDefID?: UnitDefID,
    attackerTeamID?: TeamID,
    weaponDefID?: WeaponDefID,
  ): void {
    this.units.destroyed(unitID);
    if (!this.settings.events) return;
    this.changes.pushUnitEvent(
      UNIT_DESTROYED,
      this.pinnedFrame ?? this.reader.gameFrame(),
      unitID,
      unitDefID,
      teamID,
      attackerID,
      attackerDefID,
      attackerTeamID,
      weaponDefID,
    );
  }

  /** BAR: `UnitGiven(unitID, unitDefID, newTeam, oldTeam)`, after the transfer. */
  unitGiven(unitID: UnitID, unitDefID: UnitDefID, newTeamID: TeamID, oldTeamID: TeamID): void {
    this.units.moved(unitID, unitDefID, newTeamID);
    if (!this.settings.events) return;
    this.changes.pushUnitEvent(
      UNIT_GIVEN,
      this.frameNow(),
      unitID,
      unitDefID,
      oldTeamID,
      newTeamID,
    );
  }

  /** BAR: `UnitTaken(unitID, unitDefID, oldTeam, newTeam)`, while still on the old team. */
  unitTaken(unitID: UnitID, unitDefID: UnitDefID, oldTeamID: TeamID, newTeamID: TeamID): void {
    this.units.moved(unitID, unitDefID, newTeamID);
    if (!this.settings.events) return;
    this.changes.pushUnitEvent(
      UNIT_TAKEN,
      this.frameNow(),
      unitID,
      unitDefID,
      oldTeamID,
      newTeamID,
    );
  }

  /** BAR: `UnitDamaged(unitID, unitDefID, teamID, damage, paralyzer)`; the attacker is dropped. */
  unitDamaged(
    unitID: UnitID,
    _unitDefID: UnitDefID,
    teamID: TeamID,
    damage: number,
    paralyzer: boolean,
    attackerTeamID?: TeamID,
  ): void {
    if (!this.settings.damage) return;
    this.damage.record(this.frameNow(), unitID, teamID, damage, paralyzer, attackerTeamID);
  }
}
