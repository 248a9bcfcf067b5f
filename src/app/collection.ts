/**
 * The app's share of the collection (src/collect): owns the `Collector`, registers its
 * jobs with the app's scheduler, applies the collection settings live (a category
 * switched on or off, a new rate) and reports what was collected for `status` and
 * `WG.LiveDataExport.getStatus()`. Kept apart from app.ts so that the protocol layer
 * (issue #10) can take `collector.snapshot()` and `collector.takeChanges()` from here.
 */
import type { JobKind, JobSpec } from "../collect/budget";
import type { ChangeObserver } from "../collect/changes";
import { Collector } from "../collect/collector";
import type { Change, ChangeType, View } from "../collect/model";
import type { PositionScanSpan } from "../collect/positions";
import type { GameReader } from "../collect/reader";
import { CollectSettingKey, CollectSettings, COLLECT_SETTINGS } from "../collect/settings";
import type { Scheduler } from "../sched/scheduler";
import { Priority, Task, TaskOptions } from "../sched/task";

/** The call-ins the collection wants only some of the time (a hit each is costly). */
export interface CallInSwitch {
  /** `UnitDamaged` registered with the widget handler (true) or removed (false). */
  setDamageCallIn(this: void, on: boolean): void;
}

/** What was collected, for status and `WG.LiveDataExport.getStatus().collection`. */
export interface CollectionStatus {
  view: View["kind"];
  /** Changes recorded since the widget started, all types. */
  recorded: number;
  /** Per change type (`unit_created`, `economy`, `stats`, ...). */
  recordedByType: LuaMap<ChangeType, number>;
  /** Waiting for the consumer (the protocol layer). */
  pending: number;
  /** Dropped because nobody took them and the queue was full. */
  dropped: number;
  /**
   * The last complete positions scan (kept after positions are switched off): units in
   * it, and the wall-clock seconds and game frames (30 a game second) from its first step
   * to its last; undefined before the first.
   */
  positionsScan: PositionScanSpan | undefined;
  /** Unit definitions read so far, and whether the catalog is complete. */
  unitDefs: number;
  unitDefsComplete: boolean;
  /** Teams known (Gaia included). */
  teams: number;
}

/** Scheduler priority and share of the frame budget per kind of job and per job. */
const PRIORITY: Record<JobKind, number> = {
  events: Priority.events,
  periodic: Priority.periodic,
  background: Priority.background,
};

/** Shares of the frame budget (scaled down with the sender's when they exceed 1). */
const SHARES: Record<string, number> = {
  "collect.view": 0.02,
  "collect.economy": 0.1,
  "collect.units": 0.1,
  // Background drift correction (and the start's unit rescan): never urgent, so a small
  // share and no spare time (the 10,000-unit rescan would otherwise fill every frame).
  "collect.reconcile": 0.05,
  "collect.stats": 0.1,
  // Opt-in and unbounded in size: its share and no spare time (below) hold a 10,000-unit
  // game's positions under issue #9's goal (a frame mean under 0.3 ms); a scan then
  // takes what the share allows (docs/collection.md).
  "collect.positions": 0.15,
  "collect.damage": 0.05,
  "collect.unitdefs": 0.1,
};

/** Tasks that get only their share, never the time others leave unused. */
const NO_SPARE: Record<string, boolean> = {
  "collect.reconcile": true,
  "collect.positions": true,
};

/** The tasks a switch pauses when off (events has none: the call-ins check it). */
const SWITCHED: Partial<Record<CollectSettingKey, string[]>> = {
  economy: ["collect.economy"],
  units: ["collect.units", "collect.reconcile"],
  stats: ["collect.stats"],
  unitdefs: ["collect.unitdefs"],
  positions: ["collect.positions"],
  damage: ["collect.damage"],
};

/** The task each rate sets. */
const RATES: Partial<Record<CollectSettingKey, string>> = {
  economySeconds: "collect.economy",
  unitsSeconds: "collect.units",
  statsSeconds: "collect.stats",
  positionsSeconds: "collect.positions",
  damageSeconds: "collect.damage",
  reconcileSeconds: "collect.reconcile",
};

/** Jobs whose runs started under the old view: begun again after a view change. */
const RESTART_ON_VIEW_CHANGE = [
  "collect.economy",
  "collect.units",
  "collect.reconcile",
  "collect.stats",
  "collect.positions",
];

/** Frames per game second: the economy job also waits this long in game time. */
const FRAMES_PER_SECOND = 30;

function callObserver(this: void, observer: ChangeObserver, change: Change): void {
  observer(change);
}

/** How the scheduler runs a collection job: its priority, share and rates. */
export function taskOptions(this: void, spec: JobSpec): TaskOptions {
  return {
    name: spec.name,
    priority: PRIORITY[spec.kind],
    share: SHARES[spec.name] ?? 0.05,
    everySeconds: spec.everySeconds,
    everyFrames: spec.everyFrames,
    once: spec.once,
    spare: NO_SPARE[spec.name] !== true,
  };
}

export class Collection {
  readonly collector: Collector;
  private readonly tasks = new LuaMap<string, Task>();
  /** The settings as last applied (the collector's own object is changed in place). */
  private readonly applied: CollectSettings;

  constructor(
    reader: GameReader,
    private readonly scheduler: Scheduler,
    settings: CollectSettings,
    private readonly callIns: CallInSwitch | undefined,
  ) {
    this.applied = { ...settings };
    this.collector = new Collector(reader, {
      settings: { ...settings },
      onViewChange: () => this.restartForView(),
      // The engine updates the economy once a game second and last with the game's end;
      // the economy job waits a game second between samples, so without this the final
      // values are lost whenever the last sample came within the last game second.
      onGameOver: () => this.tasks.get("collect.economy")?.runNow(),
    });
    for (const spec of this.collector.jobs()) this.register(spec);
    for (const [key, names] of pairs(SWITCHED as Record<CollectSettingKey, string[]>)) {
      if (settings[key] !== true) for (const name of names) this.tasks.get(name)?.pause();
    }
    if (this.callIns !== undefined) this.callIns.setDamageCallIn(settings.damage);
  }

  private register(spec: JobSpec): void {
    const task = this.scheduler.add(spec.job, taskOptions(spec));
    this.tasks.set(spec.name, task);
  }

  /**
   * Applies new values of the collection settings (already validated by the settings
   * table): pauses or resumes the switched jobs, sets the rates, (un)registers
   * `UnitDamaged`. Values that did not change are left alone.
   */
  apply(settings: CollectSettings): void {
    const live = this.collector.settings;
    for (const [key] of pairs(COLLECT_SETTINGS)) {
      const value = settings[key];
      if (value === this.applied[key]) continue;
      (this.applied as unknown as Record<string, boolean | number>)[key] = value;
      (live as unknown as Record<string, boolean | number>)[key] = value;
      const switched = SWITCHED[key];
      if (switched !== undefined) {
        for (const name of switched) {
          const task = this.tasks.get(name);
          if (value === true) {
            // A run paused when the category went off is stale (a positions scan's rows
            // and start, maybe read under another view): a fresh run starts at once.
            task?.restart();
            task?.resume();
          } else task?.pause();
        }
      }
      const rated = RATES[key];
      if (rated !== undefined && typeof value === "number") {
        const frames = key === "economySeconds" ? math.ceil(value * FRAMES_PER_SECOND) : undefined;
        this.tasks.get(rated)?.setRate(value, frames);
      }
      if (key === "damage") {
        // Hits of an interval that was switched off are not exported later.
        if (value !== true) this.collector.damage.clear();
        if (this.callIns !== undefined) this.callIns.setDamageCallIn(value === true);
      }
    }
  }

  /**
   * A new view: runs begun under the old one start again, and the unit rescan runs now (a
   * paused task starts afresh when its category comes back on: `apply`).
   */
  private restartForView(): void {
    for (const name of RESTART_ON_VIEW_CHANGE) {
      const task = this.tasks.get(name);
      if (task !== undefined && task.state() !== "paused") task.restart();
    }
  }

  /**
   * Sets the one observer told of every change as it is recorded (undefined removes
   * it). An observer that raises is removed, so it cannot break the collection.
   */
  observe(observer: ChangeObserver | undefined): void {
    const queue = this.collector.changes;
    if (observer === undefined) {
      queue.observer = undefined;
      return;
    }
    queue.observer = (change) => {
      const [ok] = pcall(callObserver, observer, change);
      if (!ok) queue.observer = undefined;
    };
  }

  status(): CollectionStatus {
    const changes = this.collector.changes;
    const scan = this.collector.positions.lastScan;
    let recorded = 0;
    const byType = new LuaMap<ChangeType, number>();
    for (const [type, n] of changes.recorded) {
      byType.set(type, n);
      recorded += n;
    }
    return {
      view: this.collector.currentView().kind,
      recorded,
      recordedByType: byType,
      pending: changes.count(),
      dropped: changes.droppedTotal,
      positionsScan: scan === undefined ? undefined : { ...scan },
      unitDefs: this.collector.catalog.entries.length,
      unitDefsComplete: this.collector.catalog.complete,
      teams: this.collector.teams.teamIDs.length,
    };
  }

  /** Lines of `/livedata status`. */
  statusLines(): string[] {
    const s = this.status();
    const on: string[] = [];
    const off: string[] = [];
    for (const [key] of pairs(SWITCHED as Record<CollectSettingKey, string[]>)) {
      (this.applied[key] === true ? on : off).push(key);
    }
    (this.applied.events ? on : off).push("events");
    table.sort(on);
    table.sort(off);
    const types: string[] = [];
    for (const [type, n] of s.recordedByType) types.push(`${type} ${n}`);
    table.sort(types);
    const lines = [
      `collecting (view ${s.view}): ${on.length > 0 ? on.join(", ") : "nothing"}` +
        (off.length > 0 ? `; off: ${off.join(", ")}` : ""),
      `collected: ${s.recorded} changes${types.length > 0 ? ` (${types.join(", ")})` : ""}; ` +
        `${s.pending} pending, ${s.dropped} dropped; ${s.unitDefs} unit definitions` +
        (s.unitDefsComplete ? "" : " so far"),
    ];
    const scan = s.positionsScan;
    if (this.applied.positions && scan !== undefined) {
      lines.push(
        string.format(
          "positions: the last scan read %d units over %.1f s (%.1f game seconds)",
          scan.units,
          scan.seconds,
          scan.frames / FRAMES_PER_SECOND,
        ),
      );
    }
    return lines;
  }
}
