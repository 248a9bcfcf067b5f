/**
 * The unit call-ins' inbox. The engine calls the widget for every unit created,
 * finished, destroyed, given, taken and hit, one call at a time between slices of its
 * simulation, which leaves the CPU caches full of its own data. A call that walks the
 * collector's model there pays a cache miss for every table it touches: in the host's
 * scale game 11-12 µs per call against 2 µs for a call that only stores its arguments
 * (docs/performance.md). So each call-in only stores its arguments, and the frame it
 * was called in, in one flat array made once; the owner hands the batch to the
 * collector once per drawn frame (`drain`), in order, where the collector's code and
 * tables stay warm from one record to the next.
 *
 * The array is a ring of fixed records: nothing is allocated per call. When it is full
 * the call-in drains it on the spot (a fast replay between two drawn frames), so
 * nothing is lost and the order holds. Whoever reads the collector (a snapshot, a
 * call-in that is not a unit's, the frame's jobs) drains first.
 */
/** What the inbox hands each record to: the collector's unit methods and its frame pin. */
export interface UnitCallInTarget {
  /** The frame the next records were called in (undefined: read the engine again). */
  pinFrame(frame: number | undefined): void;
  unitCreated(unitID: UnitID, unitDefID: UnitDefID, teamID: TeamID, builderID?: UnitID): void;
  unitFinished(unitID: UnitID, unitDefID: UnitDefID, teamID: TeamID): void;
  unitDestroyed(
    unitID: UnitID,
    unitDefID: UnitDefID,
    teamID: TeamID,
    attackerID?: UnitID,
    attackerDefID?: UnitDefID,
    attackerTeamID?: TeamID,
    weaponDefID?: WeaponDefID,
  ): void;
  unitGiven(unitID: UnitID, unitDefID: UnitDefID, newTeamID: TeamID, oldTeamID: TeamID): void;
  unitTaken(unitID: UnitID, unitDefID: UnitDefID, oldTeamID: TeamID, newTeamID: TeamID): void;
  unitDamaged(
    unitID: UnitID,
    unitDefID: UnitDefID,
    teamID: TeamID,
    damage: number,
    paralyzer: boolean,
  ): void;
}

/**
 * The call-ins, shaped as the engine calls them (`widget:UnitCreated(...)`: the widget
 * first), so that they go straight into the widget table. Each only stores; none raises.
 */
export interface UnitCallIns {
  UnitCreated(
    this: unknown,
    unitID: UnitID,
    unitDefID: UnitDefID,
    teamID: TeamID,
    builderID?: UnitID,
  ): void;
  UnitFinished(this: unknown, unitID: UnitID, unitDefID: UnitDefID, teamID: TeamID): void;
  UnitDestroyed(
    this: unknown,
    unitID: UnitID,
    unitDefID: UnitDefID,
    teamID: TeamID,
    attackerID?: UnitID,
    attackerDefID?: UnitDefID,
    attackerTeamID?: TeamID,
    weaponDefID?: WeaponDefID,
  ): void;
  UnitGiven(
    this: unknown,
    unitID: UnitID,
    unitDefID: UnitDefID,
    newTeamID: TeamID,
    oldTeamID: TeamID,
  ): void;
  UnitTaken(
    this: unknown,
    unitID: UnitID,
    unitDefID: UnitDefID,
    oldTeamID: TeamID,
    newTeamID: TeamID,
  ): void;
  UnitDamaged(
    this: unknown,
    unitID: UnitID,
    unitDefID: UnitDefID,
    teamID: TeamID,
    damage: number,
    paralyzer: boolean,
  ): void;
}

export interface UnitInbox {
  readonly callIns: UnitCallIns;
  /** Hands every stored record to the target, oldest first, and empties the inbox. */
  drain(this: void): void;
  /** Records stored and not yet handed over. */
  pending(this: void): number;
}

/** Records the inbox holds before a call-in drains it itself. */
export const DEFAULT_INBOX_RECORDS = 2048;

// A record: its kind, the frame, then up to seven arguments (UnitDestroyed's).
const STRIDE = 9;
const CREATED = 1;
const FINISHED = 2;
const DESTROYED = 3;
const GIVEN = 4;
const TAKEN = 5;
const DAMAGED = 6;

type Slot = number | boolean | undefined;

/**
 * Makes an inbox for `target`. `readFrame` gives the game frame now (the engine's
 * `Spring.GetGameFrame`, passed as is: one C call per call-in); `onError` is told of
 * a record whose handling raised (that record is skipped, the others are handled).
 */
export function createUnitInbox(
  this: void,
  target: UnitCallInTarget,
  readFrame: (this: void) => number,
  onError: (this: void, err: unknown) => void,
  records = DEFAULT_INBOX_RECORDS,
): UnitInbox {
  const slots = new LuaTable<number, Slot>();
  const limit = records * STRIDE;
  // Filled once so that the array part has its full size and a call never grows it.
  for (let i = 1; i <= limit; i++) slots.set(i, 0);
  /** Slots in use (records * STRIDE). */
  let used = 0;
  /** While draining: the first slot of the next record to hand over, and the end. */
  let cursor = 0;
  let end = 0;
  let draining = false;

  /** The frame last pinned while draining (a frame's records pin it once). */
  let pinned: number | undefined;

  function handleFrom(this: void, i: number): void {
    const kind = slots.get(i + 1) as number;
    const frame = slots.get(i + 2) as number;
    if (frame !== pinned) {
      pinned = frame;
      target.pinFrame(frame);
    }
    const unitID = slots.get(i + 3) as UnitID;
    const unitDefID = slots.get(i + 4) as UnitDefID;
    if (kind === DAMAGED) {
      target.unitDamaged(
        unitID,
        unitDefID,
        slots.get(i + 5) as TeamID,
        slots.get(i + 6) as number,
        slots.get(i + 7) as boolean,
      );
    } else if (kind === CREATED) {
      target.unitCreated(
        unitID,
        unitDefID,
        slots.get(i + 5) as TeamID,
        slots.get(i + 6) as UnitID | undefined,
      );
    } else if (kind === FINISHED) {
      target.unitFinished(unitID, unitDefID, slots.get(i + 5) as TeamID);
    } else if (kind === DESTROYED) {
      target.unitDestroyed(
        unitID,
        unitDefID,
        slots.get(i + 5) as TeamID,
        slots.get(i + 6) as UnitID | undefined,
        slots.get(i + 7) as UnitDefID | undefined,
        slots.get(i + 8) as TeamID | undefined,
        slots.get(i + 9) as WeaponDefID | undefined,
      );
    } else if (kind === GIVEN) {
      target.unitGiven(unitID, unitDefID, slots.get(i + 5) as TeamID, slots.get(i + 6) as TeamID);
    } else if (kind === TAKEN) {
      target.unitTaken(unitID, unitDefID, slots.get(i + 5) as TeamID, slots.get(i + 6) as TeamID);
    }
  }

  function unpin(this: void): void {
    pinned = undefined;
    target.pinFrame(undefined);
  }

  /** Under pcall: hands over records until the end; the cursor passes each first. */
  function handleRest(this: void): void {
    while (cursor < end) {
      const i = cursor;
      cursor = i + STRIDE;
      handleFrom(i);
    }
  }

  function drain(this: void): void {
    if (draining || used === 0) return;
    draining = true;
    cursor = 0;
    end = used;
    while (cursor < end) {
      const [ok, err] = pcall(handleRest);
      if (!ok) onError(err);
    }
    used = 0;
    pcall(unpin);
    draining = false;
  }

  /** Stores one record (every slot, so none keeps an earlier call's argument). */
  function store(
    this: void,
    kind: number,
    a: Slot,
    b: Slot,
    c: Slot,
    d?: Slot,
    e?: Slot,
    f?: Slot,
    g?: Slot,
  ): void {
    if (used >= limit) drain();
    const i = used;
    used = i + STRIDE;
    slots.set(i + 1, kind);
    slots.set(i + 2, readFrame());
    slots.set(i + 3, a);
    slots.set(i + 4, b);
    slots.set(i + 5, c);
    slots.set(i + 6, d);
    slots.set(i + 7, e);
    slots.set(i + 8, f);
    slots.set(i + 9, g);
  }

  const callIns: UnitCallIns = {
    UnitCreated(unitID, unitDefID, teamID, builderID) {
      store(CREATED, unitID, unitDefID, teamID, builderID);
    },
    UnitFinished(unitID, unitDefID, teamID) {
      store(FINISHED, unitID, unitDefID, teamID);
    },
    UnitDestroyed(unitID, unitDefID, teamID, attackerID, attackerDefID, attackerTeamID, weapon) {
      store(
        DESTROYED,
        unitID,
        unitDefID,
        teamID,
        attackerID,
        attackerDefID,
        attackerTeamID,
        weapon,
      );
    },
    UnitGiven(unitID, unitDefID, newTeamID, oldTeamID) {
      store(GIVEN, unitID, unitDefID, newTeamID, oldTeamID);
    },
    UnitTaken(unitID, unitDefID, oldTeamID, newTeamID) {
      store(TAKEN, unitID, unitDefID, oldTeamID, newTeamID);
    },
    UnitDamaged(unitID, unitDefID, teamID, damage, paralyzer) {
      store(DAMAGED, unitID, unitDefID, teamID, damage, paralyzer);
    },
  };

  return { callIns, drain, pending: () => used / STRIDE };
}
