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
 * The array is filled from its start after every drain, each record as many slots as its
 * kind needs (the frame only when it changes): nothing is allocated per call. When it is full
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

// A record: its kind, then the call's arguments, as many slots as the kind has (fewer slots
// to write and read than a fixed size, whose unused slots had to be cleared too). A call in
// a frame other than the previous record's is preceded by a FRAME record (kind, frame).
const CREATED = 1; // unitID, unitDefID, teamID, builderID
const FINISHED = 2; // unitID, unitDefID, teamID
const DESTROYED = 3; // unitID, unitDefID, teamID, attackerID, attackerDefID, attackerTeamID, weaponDefID
const DAMAGED = 4; // unitID, unitDefID, teamID, damage, paralyzer
const FRAME = 5; // frame
const GIVEN = 6; // unitID, unitDefID, newTeamID, oldTeamID
const TAKEN = 7; // unitID, unitDefID, oldTeamID, newTeamID
/** Slots a record takes at most, with the FRAME record before it. */
const MAX_SLOTS = 10;

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
  // Filled once so that the array part has its full size and a call never grows it.
  for (let i = 1; i <= records * MAX_SLOTS; i++) slots.set(i, 0);
  /** Slots in use, and the records among them (FRAME records not counted). */
  let used = 0;
  let count = 0;
  /** The frame of the last record stored (undefined: none since the last drain). */
  let storedFrame: number | undefined;
  /** While draining: the first slot of the next record to hand over, and the end. */
  let cursor = 0;
  let end = 0;
  let draining = false;

  /** The frame last pinned while draining (a frame's records pin it once). */
  let pinned: number | undefined;

  // The target's methods, read once per drain (not through its metatable per record).
  let onCreated = target.unitCreated;
  let onFinished = target.unitFinished;
  let onDestroyed = target.unitDestroyed;
  let onDamaged = target.unitDamaged;

  function unpin(this: void): void {
    pinned = undefined;
    target.pinFrame(undefined);
  }

  /**
   * Under pcall: hands over records until the end; the cursor passes each before it is
   * handed over, so that one that raises is skipped. The kinds are told apart in two
   * comparisons for the frequent ones (by their numbers), the slots read through a local.
   */
  function handleRest(this: void): void {
    const s = slots;
    const last = end;
    let i = cursor;
    while (i < last) {
      const at = i;
      const kind = s.get(at + 1) as number;
      if (kind <= FINISHED) {
        if (kind === CREATED) {
          i = at + 5;
          cursor = i;
          onCreated.call(
            target,
            s.get(at + 2) as UnitID,
            s.get(at + 3) as UnitDefID,
            s.get(at + 4) as TeamID,
            s.get(at + 5) as UnitID | undefined,
          );
        } else {
          i = at + 4;
          cursor = i;
          onFinished.call(
            target,
            s.get(at + 2) as UnitID,
            s.get(at + 3) as UnitDefID,
            s.get(at + 4) as TeamID,
          );
        }
      } else if (kind <= DAMAGED) {
        if (kind === DESTROYED) {
          i = at + 8;
          cursor = i;
          onDestroyed.call(
            target,
            s.get(at + 2) as UnitID,
            s.get(at + 3) as UnitDefID,
            s.get(at + 4) as TeamID,
            s.get(at + 5) as UnitID | undefined,
            s.get(at + 6) as UnitDefID | undefined,
            s.get(at + 7) as TeamID | undefined,
            s.get(at + 8) as WeaponDefID | undefined,
          );
        } else {
          i = at + 6;
          cursor = i;
          onDamaged.call(
            target,
            s.get(at + 2) as UnitID,
            s.get(at + 3) as UnitDefID,
            s.get(at + 4) as TeamID,
            s.get(at + 5) as number,
            s.get(at + 6) as boolean,
          );
        }
      } else if (kind === FRAME) {
        i = at + 2;
        cursor = i;
        const frame = s.get(at + 2) as number;
        if (frame !== pinned) {
          pinned = frame;
          target.pinFrame(frame);
        }
      } else {
        i = at + 5;
        cursor = i;
        const unitID = s.get(at + 2) as UnitID;
        const unitDefID = s.get(at + 3) as UnitDefID;
        if (kind === GIVEN) {
          target.unitGiven(unitID, unitDefID, s.get(at + 4) as TeamID, s.get(at + 5) as TeamID);
        } else {
          target.unitTaken(unitID, unitDefID, s.get(at + 4) as TeamID, s.get(at + 5) as TeamID);
        }
      }
    }
  }

  function drain(this: void): void {
    if (draining || used === 0) return;
    draining = true;
    onCreated = target.unitCreated;
    onFinished = target.unitFinished;
    onDestroyed = target.unitDestroyed;
    onDamaged = target.unitDamaged;
    cursor = 0;
    end = used;
    while (cursor < end) {
      const [ok, err] = pcall(handleRest);
      if (!ok) onError(err);
    }
    used = 0;
    count = 0;
    storedFrame = undefined;
    pcall(unpin);
    draining = false;
  }

  /** Stores a FRAME record (the frame changed since the last record); returns the slots used. */
  function markFrame(this: void, frame: number): number {
    const i = used;
    storedFrame = frame;
    slots.set(i + 1, FRAME);
    slots.set(i + 2, frame);
    used = i + 2;
    return i + 2;
  }

  // Each call-in makes room (a full inbox is drained first), stores a FRAME record when the
  // frame changed, then every slot of its kind, so none keeps an earlier call's argument.
  // Written out in each (no shared helper call): they run hundreds of times a second.
  const callIns: UnitCallIns = {
    UnitCreated(unitID, unitDefID, teamID, builderID) {
      if (count >= records) drain();
      const frame = readFrame();
      const i = frame === storedFrame ? used : markFrame(frame);
      slots.set(i + 1, CREATED);
      slots.set(i + 2, unitID);
      slots.set(i + 3, unitDefID);
      slots.set(i + 4, teamID);
      slots.set(i + 5, builderID);
      used = i + 5;
      count += 1;
    },
    UnitFinished(unitID, unitDefID, teamID) {
      if (count >= records) drain();
      const frame = readFrame();
      const i = frame === storedFrame ? used : markFrame(frame);
      slots.set(i + 1, FINISHED);
      slots.set(i + 2, unitID);
      slots.set(i + 3, unitDefID);
      slots.set(i + 4, teamID);
      used = i + 4;
      count += 1;
    },
    UnitDestroyed(unitID, unitDefID, teamID, attackerID, attackerDefID, attackerTeamID, weapon) {
      if (count >= records) drain();
      const frame = readFrame();
      const i = frame === storedFrame ? used : markFrame(frame);
      slots.set(i + 1, DESTROYED);
      slots.set(i + 2, unitID);
      slots.set(i + 3, unitDefID);
      slots.set(i + 4, teamID);
      slots.set(i + 5, attackerID);
      slots.set(i + 6, attackerDefID);
      slots.set(i + 7, attackerTeamID);
      slots.set(i + 8, weapon);
      used = i + 8;
      count += 1;
    },
    UnitGiven(unitID, unitDefID, newTeamID, oldTeamID) {
      if (count >= records) drain();
      const frame = readFrame();
      const i = frame === storedFrame ? used : markFrame(frame);
      slots.set(i + 1, GIVEN);
      slots.set(i + 2, unitID);
      slots.set(i + 3, unitDefID);
      slots.set(i + 4, newTeamID);
      slots.set(i + 5, oldTeamID);
      used = i + 5;
      count += 1;
    },
    UnitTaken(unitID, unitDefID, oldTeamID, newTeamID) {
      if (count >= records) drain();
      const frame = readFrame();
      const i = frame === storedFrame ? used : markFrame(frame);
      slots.set(i + 1, TAKEN);
      slots.set(i + 2, unitID);
      slots.set(i + 3, unitDefID);
      slots.set(i + 4, oldTeamID);
      slots.set(i + 5, newTeamID);
      used = i + 5;
      count += 1;
    },
    UnitDamaged(unitID, unitDefID, teamID, damage, paralyzer) {
      if (count >= records) drain();
      const frame = readFrame();
      const i = frame === storedFrame ? used : markFrame(frame);
      slots.set(i + 1, DAMAGED);
      slots.set(i + 2, unitID);
      slots.set(i + 3, unitDefID);
      slots.set(i + 4, teamID);
      slots.set(i + 5, damage);
      slots.set(i + 6, paralyzer);
      used = i + 6;
      count += 1;
    },
  };

  return { callIns, drain, pending: () => count };
}
