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
const GIVEN = 4; // unitID, unitDefID, newTeamID, oldTeamID
const TAKEN = 5; // unitID, unitDefID, oldTeamID, newTeamID
const DAMAGED = 6; // unitID, unitDefID, teamID, damage, paralyzer
const FRAME = 7; // frame
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

  function unpin(this: void): void {
    pinned = undefined;
    target.pinFrame(undefined);
  }

  /**
   * Under pcall: hands over records until the end; the cursor passes each before it is
   * handed over, so that one that raises is skipped. The most frequent kinds come first.
   */
  function handleRest(this: void): void {
    while (cursor < end) {
      const i = cursor;
      const kind = slots.get(i + 1);
      if (kind === DAMAGED) {
        cursor = i + 6;
        target.unitDamaged(
          slots.get(i + 2) as UnitID,
          slots.get(i + 3) as UnitDefID,
          slots.get(i + 4) as TeamID,
          slots.get(i + 5) as number,
          slots.get(i + 6) as boolean,
        );
      } else if (kind === CREATED) {
        cursor = i + 5;
        target.unitCreated(
          slots.get(i + 2) as UnitID,
          slots.get(i + 3) as UnitDefID,
          slots.get(i + 4) as TeamID,
          slots.get(i + 5) as UnitID | undefined,
        );
      } else if (kind === DESTROYED) {
        cursor = i + 8;
        target.unitDestroyed(
          slots.get(i + 2) as UnitID,
          slots.get(i + 3) as UnitDefID,
          slots.get(i + 4) as TeamID,
          slots.get(i + 5) as UnitID | undefined,
          slots.get(i + 6) as UnitDefID | undefined,
          slots.get(i + 7) as TeamID | undefined,
          slots.get(i + 8) as WeaponDefID | undefined,
        );
      } else if (kind === FINISHED) {
        cursor = i + 4;
        target.unitFinished(
          slots.get(i + 2) as UnitID,
          slots.get(i + 3) as UnitDefID,
          slots.get(i + 4) as TeamID,
        );
      } else if (kind === FRAME) {
        cursor = i + 2;
        const frame = slots.get(i + 2) as number;
        if (frame !== pinned) {
          pinned = frame;
          target.pinFrame(frame);
        }
      } else if (kind === GIVEN) {
        cursor = i + 5;
        target.unitGiven(
          slots.get(i + 2) as UnitID,
          slots.get(i + 3) as UnitDefID,
          slots.get(i + 4) as TeamID,
          slots.get(i + 5) as TeamID,
        );
      } else {
        cursor = i + 5;
        target.unitTaken(
          slots.get(i + 2) as UnitID,
          slots.get(i + 3) as UnitDefID,
          slots.get(i + 4) as TeamID,
          slots.get(i + 5) as TeamID,
        );
      }
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
    count = 0;
    storedFrame = undefined;
    pcall(unpin);
    draining = false;
  }

  /**
   * Makes room for one record of `kind` (draining a full inbox first) and stores its kind,
   * after a FRAME record if the frame changed; returns the slot before its first argument.
   */
  function open(this: void, kind: number, size: number): number {
    if (count >= records) drain();
    let i = used;
    const frame = readFrame();
    if (frame !== storedFrame) {
      storedFrame = frame;
      slots.set(i + 1, FRAME);
      slots.set(i + 2, frame);
      i += 2;
    }
    slots.set(i + 1, kind);
    used = i + size;
    count += 1;
    return i + 1;
  }

  // Each call-in writes every slot of its kind, so none keeps an earlier call's argument.
  const callIns: UnitCallIns = {
    UnitCreated(unitID, unitDefID, teamID, builderID) {
      const i = open(CREATED, 5);
      slots.set(i + 1, unitID);
      slots.set(i + 2, unitDefID);
      slots.set(i + 3, teamID);
      slots.set(i + 4, builderID);
    },
    UnitFinished(unitID, unitDefID, teamID) {
      const i = open(FINISHED, 4);
      slots.set(i + 1, unitID);
      slots.set(i + 2, unitDefID);
      slots.set(i + 3, teamID);
    },
    UnitDestroyed(unitID, unitDefID, teamID, attackerID, attackerDefID, attackerTeamID, weapon) {
      const i = open(DESTROYED, 8);
      slots.set(i + 1, unitID);
      slots.set(i + 2, unitDefID);
      slots.set(i + 3, teamID);
      slots.set(i + 4, attackerID);
      slots.set(i + 5, attackerDefID);
      slots.set(i + 6, attackerTeamID);
      slots.set(i + 7, weapon);
    },
    UnitGiven(unitID, unitDefID, newTeamID, oldTeamID) {
      const i = open(GIVEN, 5);
      slots.set(i + 1, unitID);
      slots.set(i + 2, unitDefID);
      slots.set(i + 3, newTeamID);
      slots.set(i + 4, oldTeamID);
    },
    UnitTaken(unitID, unitDefID, oldTeamID, newTeamID) {
      const i = open(TAKEN, 5);
      slots.set(i + 1, unitID);
      slots.set(i + 2, unitDefID);
      slots.set(i + 3, oldTeamID);
      slots.set(i + 4, newTeamID);
    },
    UnitDamaged(unitID, unitDefID, teamID, damage, paralyzer) {
      const i = open(DAMAGED, 6);
      slots.set(i + 1, unitID);
      slots.set(i + 2, unitDefID);
      slots.set(i + 3, teamID);
      slots.set(i + 4, damage);
      slots.set(i + 5, paralyzer);
    },
  };

  return { callIns, drain, pending: () => count };
}
