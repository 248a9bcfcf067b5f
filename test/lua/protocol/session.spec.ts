/**
 * The protocol session over the real collector, connection and backlog, with a scripted
 * transport and a manual clock (session-rig.ts): what each connection carries, in
 * which order, with which seqs, and what the receiver's lines change.
 */
import { describe, expect, it } from "../framework";
import { runJob } from "../collect/helpers";
import { Line, Rig, ofKind, seqsOf } from "./session-rig";

/** Seqs `from`..`to`. */
function range(this: void, from: number, to: number): number[] {
  const out: number[] = [];
  for (let s = from; s <= to; s++) out.push(s);
  return out;
}

function field(this: void, line: Line, ...path: (string | number)[]): unknown {
  let value: unknown = line;
  for (const key of path) value = (value as LuaTable<string | number, unknown>).get(key);
  return value;
}

describe("session: a new connection", () => {
  it("opens with hello, then the catalog's parts, then the connect snapshot; seq from 1, +1 each", () => {
    const rig = new Rig({ unitDefsPartBytes: 600 }).readCatalog();
    rig.game.frame = 450;
    rig.connect();
    // A part each time the connection has taken the last one.
    for (let i = 0; i < 10 && rig.count("snapshot") === 0; i++) rig.frame(0.05);
    const lines = rig.lines();
    const types = rig.types();
    expect(types[0]).toBe("hello");
    const parts = ofKind(lines, "unitdefs");
    // Three definitions of about 330 bytes, parts of at most 600: one per part.
    expect(parts.length).toBe(3);
    expect(types).toEqual(["hello", "unitdefs", "unitdefs", "unitdefs", "snapshot:connect"]);
    expect(seqsOf(lines)).toEqual([1, 2, 3, 4]);
    expect(parts.map((p) => [p.get("part"), p.get("parts")])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(parts.map((p) => field(p, "unitDefs", 1, "name"))).toEqual([
      "armcom",
      "corcom",
      "armpw",
    ]);
    for (const line of lines) {
      if (line.get("type") !== "hello") expect(line.get("frame")).toBe(450);
    }
  });

  it("encodes the catalog a definition per look at the budget, then joins it a part per look", () => {
    const rig = new Rig({ unitDefsPartBytes: 600 }).readCatalog();
    // Three definitions, three parts; one look per step: 3 steps encoding, 3 joining.
    expect(runJob(rig.session.bulk, 0, 1)).toBe(6);
    rig.connect();
    for (let i = 0; i < 10 && rig.count("snapshot") === 0; i++) rig.frame(0.05);
    const parts = ofKind(rig.lines(), "unitdefs");
    expect(parts.map((p) => field(p, "unitDefs", 1, "name"))).toEqual([
      "armcom",
      "corcom",
      "armpw",
    ]);
  });

  it("sends an empty catalog as one empty part", () => {
    const rig = new Rig();
    rig.game.defs = [];
    rig.readCatalog();
    rig.connect();
    for (let i = 0; i < 10 && rig.count("snapshot") === 0; i++) rig.frame(0.05);
    const parts = ofKind(rig.lines(), "unitdefs");
    expect(parts.map((p) => [p.get("part"), p.get("parts")])).toEqual([[1, 1]]);
    expect((parts[0].get("unitDefs") as unknown[]).length).toBe(0);
  });

  it("sends a catalog larger than the backlog's bound whole: a part once the last one is taken", () => {
    // Parts of about 330 bytes, a bound that holds two of them.
    const rig = new Rig({ unitDefsPartBytes: 600, backlogBytes: 700 }).readCatalog();
    rig.connect();
    for (let i = 0; i < 10 && rig.count("snapshot") === 0; i++) rig.frame(0.05);
    expect(rig.types()).toEqual(["hello", "unitdefs", "unitdefs", "unitdefs", "snapshot:connect"]);
    expect(rig.session.stats().dropped).toBe(0);
  });

  it("with a send interval, writes the opening frame after frame, then keeps to the interval", () => {
    const rig = new Rig({ unitDefsPartBytes: 600, backlogBytes: 700 }).readCatalog();
    rig.connection.configure({
      autoReconnect: true,
      retryInitialDelay: 1,
      retryMaxDelay: 30,
      connectTimeout: 5,
      silenceTimeout: 0,
      sendEverySeconds: 0.5,
    });
    rig.connect();
    let frames = 0;
    while (rig.count("snapshot") === 0 && frames < 100) {
      rig.frame(0.05);
      frames += 1;
    }
    expect(rig.types()).toEqual(["hello", "unitdefs", "unitdefs", "unitdefs", "snapshot:connect"]);
    // Each part waited a frame for the last to be written, not an interval.
    expect(frames).toBeLessThanOrEqual(10);
    rig.frame(0.05);
    expect(rig.connection.quietUntil).toBeGreaterThan(rig.clock.now());
  });

  it("says who is speaking in hello: protocol, widget, game, session, view, settings, nextSeq", () => {
    const rig = new Rig();
    rig.game.frame = 90;
    rig.game.rules.set("GameID", "3f2a94c1d07e5b68a1c9e4f20b7d6a53");
    rig.connect();
    const hello = rig.lines()[0];
    expect(hello.get("protocol")).toBe(2);
    expect(hello.get("source")).toBe("Live Data Export");
    expect(hello.get("version")).toBe("9.9.9");
    expect(hello.get("session")).toBe("0123456789abcdef");
    expect(hello.get("nextSeq")).toBe(1);
    expect(hello.get("frame")).toBe(90);
    expect(hello.get("seq")).toBeUndefined();
    expect(hello.get("mapName")).toBe("Test Map");
    expect(hello.get("engineVersion")).toBe("2025.06.12");
    expect(hello.get("gameID")).toBe("3f2a94c1d07e5b68a1c9e4f20b7d6a53");
    expect(field(hello, "view", "kind")).toBe("fullview");
    expect(field(hello, "settings", "rates", "snapshot")).toBe(60);
    expect(field(hello, "settings", "categories", "positions")).toBe(false);
    expect(hello.get("token")).toBeUndefined();
  });

  it("carries the token only when one is set", () => {
    const rig = new Rig();
    rig.token = "";
    rig.connect();
    expect(rig.lines()[0].get("token")).toBeUndefined();
    rig.transport.peerError = "closed";
    rig.frame();
    rig.token = "s3cret";
    rig.run(2);
    expect(rig.transport.carried.length).toBe(2);
    expect(rig.lines()[0].get("token")).toBe("s3cret");
  });

  it("sends the snapshot one second after hello when the catalog is not read yet, the catalog when it is", () => {
    const rig = new Rig();
    rig.connect();
    rig.run(0.75);
    expect(rig.types()).toEqual(["hello"]);
    rig.run(0.25);
    rig.frame();
    expect(rig.types()).toEqual(["hello", "snapshot:connect"]);
    // Read later: encoded in one frame, produced in the next, written in the third.
    rig.readCatalog();
    rig.frame();
    rig.frame();
    rig.frame();
    expect(rig.types()).toEqual(["hello", "snapshot:connect", "unitdefs"]);
  });

  it("sends no catalog when its category is off", () => {
    const rig = new Rig().readCatalog();
    rig.saved.categories.unitdefs = false;
    rig.session.settingsChanged();
    rig.connect();
    rig.frame();
    expect(rig.types()).toEqual(["hello", "snapshot:connect"]);
  });

  it("puts the whole state in the snapshot: game, view, settings, players, teams, economy, units, stats", () => {
    const rig = new Rig().readCatalog();
    rig.game.addUnit(101, 1, 0);
    rig.game.addUnit(102, 3, 0, true);
    // Units the collector never heard of (no call-ins): the first check finds them
    // missing, the second rebuilds the team.
    collect(rig, "collect.reconcile");
    collect(rig, "collect.reconcile", "collect.economy", "collect.units", "collect.stats");
    rig.connect();
    for (let i = 0; i < 10 && rig.count("snapshot") === 0; i++) rig.frame(0.05);
    const snapshot = ofKind(rig.lines(), "snapshot")[0];
    expect(field(snapshot, "game", "mapSizeX")).toBe(8192);
    expect(field(snapshot, "view", "kind")).toBe("fullview");
    expect(field(snapshot, "settings", "rates", "economy")).toBe(1);
    expect(field(snapshot, "players", 1, "name")).toBe("player0");
    expect(field(snapshot, "teams", 2, "teamID")).toBe(1);
    expect(field(snapshot, "economy", 1, "metal", "current")).toBe(10);
    expect(field(snapshot, "units", 1, "finished")).toEqual([[1, 1]]);
    expect(field(snapshot, "units", 1, "building")).toEqual([[3, 1]]);
    expect(field(snapshot, "stats", 1, "entry", "frame")).toBe(900);
  });
});

/** Runs the named collector jobs once each, in this order. */
function collect(this: void, rig: Rig, ...names: string[]): void {
  for (const name of names) {
    for (const spec of rig.collector.jobs()) {
      if (spec.name === name) runJob(spec.job, rig.game.frame);
    }
  }
}

/** A rig connected, past its connect snapshot (no catalog), with the first connection's lines read. */
function connected(this: void, rig = new Rig()): Rig {
  rig.saved.categories.unitdefs = false;
  rig.session.settingsChanged();
  rig.connect();
  rig.frame();
  rig.frame();
  return rig;
}

/**
 * 600 units of two teams, 300 defs each, recorded with events off, and the `units` change
 * of them: a message of 600 pairs, made a team per look at the budget. Events on again.
 */
function battleCounts(this: void, rig: Rig): void {
  const c = rig.collector;
  c.settings.events = false;
  for (let i = 1; i <= 600; i++)
    c.unitCreated(i as UnitID, (1000 + math.floor((i - 1) / 2)) as UnitDefID, (i % 2) as TeamID);
  collect(rig, "collect.units");
  c.settings.events = true;
}

/** A connected rig whose battle's `units` message is under way (a team a step). */
function unitsUnderWay(this: void): Rig {
  const rig = connected();
  battleCounts(rig);
  rig.checks = 1;
  rig.frame(0.01);
  expect(rig.count("units")).toBe(0);
  return rig;
}

describe("session: changes become messages", () => {
  it("makes the events messages in order, seq +1, each with its frame; a frame's unit events in a row share one", () => {
    const rig = connected();
    const c = rig.collector;
    const g = rig.game;
    g.frame = 100;
    c.gameStart();
    g.frame = 101;
    c.unitCreated(7 as UnitID, 1 as UnitDefID, 0 as TeamID, 3 as UnitID);
    c.unitFinished(7 as UnitID, 1 as UnitDefID, 0 as TeamID);
    g.frame = 102;
    c.unitDestroyed(7 as UnitID, 1 as UnitDefID, 0 as TeamID);
    c.unitGiven(8 as UnitID, 2 as UnitDefID, 1 as TeamID, 0 as TeamID);
    c.unitTaken(8 as UnitID, 2 as UnitDefID, 0 as TeamID, 1 as TeamID);
    c.teamDied(1 as TeamID);
    c.playerAdded(0 as PlayerID);
    c.playerRemoved(1 as PlayerID);
    c.gamePaused(0 as PlayerID, true);
    c.gamePaused(0 as PlayerID, false);
    g.frame = 103;
    (g.team(1 as TeamID) as { isDead: boolean }).isDead = true;
    c.gameOver();
    rig.frame();
    rig.frame();
    const lines = rig.lines();
    const events = lines.slice(2);
    expect(events.map((l) => l.get("type"))).toEqual([
      "game_started",
      "unit_events",
      "unit_events",
      "team_died",
      "player_added",
      "player_removed",
      "game_paused",
      "game_resumed",
      "game_over",
    ]);
    expect(seqsOf(events)).toEqual(range(2, 10));
    expect(events.map((l) => l.get("frame"))).toEqual([
      100, 101, 102, 102, 102, 102, 102, 102, 103,
    ]);
    const raw = rig.rawLines().slice(2);
    expect(raw[1]).toBe(
      '{"type":"unit_events","seq":3,"frame":101,"events":[["created",7,1,0,3],["finished",7,1,0]]}',
    );
    expect(raw[2]).toBe(
      '{"type":"unit_events","seq":4,"frame":102,"events":[["destroyed",7,1,0,null,null,null,null],["given",8,2,0,1],["taken",8,2,0,1]]}',
    );
    expect(field(events[4], "player", "name")).toBe("player0");
    expect(field(events[8], "winners")).toEqual([0]);
  });

  it("sends economy and stats as the collector samples them", () => {
    const rig = connected();
    rig.game.frame = 960;
    collect(rig, "collect.economy", "collect.stats");
    rig.frame();
    rig.frame();
    const lines = rig.lines();
    const economy = ofKind(lines, "economy");
    expect(economy.length).toBe(1);
    expect(field(economy[0], "teams", 2, "energy", "income")).toBe(153);
    const stats = ofKind(lines, "stats");
    // Two final entries per team (the live one waits for game over).
    expect(stats.map((s) => [s.get("teamID"), field(s, "entry", "frame")])).toEqual([
      [0, 450],
      [0, 900],
      [1, 450],
      [1, 900],
    ]);
    expect(field(stats[0], "entry", "unitsKilled")).toBe(20);
  });

  it("sends in units only the counts that changed since the receiver's last state, 0 for none left", () => {
    const rig = connected();
    const c = rig.collector;
    c.unitCreated(11 as UnitID, 1 as UnitDefID, 0 as TeamID);
    c.unitCreated(12 as UnitID, 2 as UnitDefID, 0 as TeamID);
    c.unitFinished(11 as UnitID, 1 as UnitDefID, 0 as TeamID);
    collect(rig, "collect.units");
    c.unitDestroyed(12 as UnitID, 2 as UnitDefID, 0 as TeamID);
    c.unitCreated(13 as UnitID, 3 as UnitDefID, 1 as TeamID);
    collect(rig, "collect.units");
    // Nothing changed: no message at all.
    collect(rig, "collect.units");
    rig.frame();
    rig.frame();
    const units = ofKind(rig.lines(), "units");
    expect(units.length).toBe(2);
    expect(field(units[0], "teams")).toEqual([
      { teamID: 0, finished: [[1, 1]], building: [[2, 1]], unknown: 0 },
    ]);
    expect(field(units[1], "teams")).toEqual([
      { teamID: 0, finished: [], building: [[2, 0]], unknown: 0 },
      { teamID: 1, finished: [], building: [[3, 1]], unknown: 0 },
    ]);
  });

  it("encodes a battle's units message over several steps; events recorded meanwhile go first", () => {
    const rig = connected();
    const c = rig.collector;
    battleCounts(rig);
    c.teamDied(1 as TeamID);
    // The next economy waits for it (its counts must not be followed by older ones).
    collect(rig, "collect.economy");
    rig.checks = 1;
    const before = rig.session.stats().produced;
    let steps = 0;
    while (rig.count("economy") === 0 && steps < 50) {
      rig.frame(0.01);
      steps += 1;
    }
    // Two teams compared, then two written, one a step.
    expect(steps).toBeGreaterThanOrEqual(4);
    const lines = rig.lines();
    expect(rig.types().slice(-3)).toEqual(["team_died", "units", "economy"]);
    expect(seqsOf(lines).slice(-3)).toEqual([before + 1, before + 2, before + 3]);
    const teams = field(ofKind(lines, "units")[0], "teams") as LuaTable<number, Line>;
    expect(teams.length()).toBe(2);
    const pairs = field(teams.get(2), "building") as LuaTable<number, unknown>;
    expect(pairs.length()).toBe(300);
    expect(pairs.get(1)).toEqual([1000, 1]);
    expect(pairs.get(300)).toEqual([1299, 1]);
  });

  it("lets events recorded after the next economy or units change go before the message under way; the counts keep their order", () => {
    // The units message is under way when the economy and then a second units change come.
    const rig = unitsUnderWay();
    const c = rig.collector;
    collect(rig, "collect.economy");
    c.unitCreated(701 as UnitID, 1000 as UnitDefID, 0 as TeamID);
    collect(rig, "collect.units");
    c.teamDied(1 as TeamID);
    const before = rig.session.stats().produced;
    let steps = 0;
    while (rig.count("units") < 2 && steps < 50) {
      rig.frame(0.01);
      steps += 1;
    }
    expect(rig.types().slice(-5)).toEqual([
      "unit_events",
      "team_died",
      "units",
      "economy",
      "units",
    ]);
    expect(seqsOf(rig.lines().slice(-5))).toEqual(range(before + 1, before + 5));
    // The second units message has the unit created meanwhile: 2 of def 1000 for team 0.
    const second = ofKind(rig.lines(), "units")[1];
    expect(field(second, "teams", 1, "teamID")).toBe(0);
    expect(field(second, "teams", 1, "building")).toEqual([[1000, 2]]);
  });

  it("sends a view change only after the units message read under the old view", () => {
    const rig = unitsUnderWay();
    const c = rig.collector;
    rig.game.asSpectator(false);
    c.checkView();
    c.teamDied(1 as TeamID);
    let steps = 0;
    while (rig.count("snapshot") < 2 && steps < 50) {
      rig.frame(0.01);
      steps += 1;
    }
    expect(rig.types().slice(2)).toEqual([
      "units",
      "view_changed",
      "team_died",
      "snapshot:view_changed",
    ]);
  });

  it("with its budget spent, writes in a step the events recorded meanwhile or a team of a units message, not both", () => {
    /** Steps until the units message is written, with `events` unit events recorded one before each step. */
    function unitsMessage(this: void, events: number): LuaMultiReturn<[number, string[]]> {
      const rig = connected();
      const c = rig.collector;
      c.settings.events = false;
      for (let i = 1; i <= 600; i++)
        c.unitCreated(i as UnitID, (1000 + (i % 300)) as UnitDefID, (i % 2) as TeamID);
      collect(rig, "collect.units");
      c.settings.events = true;
      rig.checks = 1;
      const start = rig.lines().length;
      let steps = 0;
      while (rig.count("units") === 0 && steps < 50) {
        // From the second step on: the message is under way.
        if (steps >= 1 && steps <= events)
          c.unitCreated((700 + steps) as UnitID, 1000 as UnitDefID, 0 as TeamID);
        rig.frame(0.01);
        steps += 1;
      }
      return $multi(steps, rig.types().slice(start));
    }
    const [alone] = unitsMessage(0);
    const [withEvents, types] = unitsMessage(3);
    // Each event took a step of its own, and went before the message.
    expect(withEvents).toBe(alone + 3);
    expect(types).toEqual(["unit_events", "unit_events", "unit_events", "units"]);
  });

  it("at shutdown completes a units message under way, then produces every change after it", () => {
    const rig = connected();
    const c = rig.collector;
    c.settings.events = false;
    for (let i = 1; i <= 40; i++) c.unitCreated(i as UnitID, (100 + i) as UnitDefID, 0 as TeamID);
    collect(rig, "collect.units");
    rig.checks = 1;
    rig.frame(0.01);
    for (let i = 41; i <= 45; i++) c.unitCreated(i as UnitID, (100 + i) as UnitDefID, 1 as TeamID);
    collect(rig, "collect.units");
    expect(rig.count("units")).toBe(0);
    expect(rig.session.produceRecorded(1)).toBe(0);
    rig.session.bye("shutdown");
    rig.connection.flush();
    const units = ofKind(rig.lines(), "units");
    expect(units.length).toBe(2);
    const first = field(units[0], "teams", 1, "building") as LuaTable<number, unknown>;
    expect(first.length()).toBe(40);
    expect(field(units[1], "teams", 1, "teamID")).toBe(1);
  });

  it("encodes economy over several steps; an event recorded after it goes first", () => {
    const rig = new Rig({}, (game) => {
      for (let t = 2; t < 12; t++) game.addTeam(t, t % 2, 2);
    });
    connected(rig);
    collect(rig, "collect.economy");
    rig.collector.teamDied(1 as TeamID);
    rig.checks = 1;
    let steps = 0;
    while (rig.count("economy") === 0 && steps < 50) {
      rig.frame(0.01);
      steps += 1;
    }
    expect(steps).toBeGreaterThanOrEqual(6);
    expect(rig.types().slice(-2)).toEqual(["team_died", "economy"]);
    const teams = field(ofKind(rig.lines(), "economy")[0], "teams") as LuaTable<number, unknown>;
    expect(teams.length()).toBe(12);
  });

  it("sends no units count the receiver already has, even when units came and went meanwhile", () => {
    const rig = connected();
    const c = rig.collector;
    c.unitCreated(11 as UnitID, 1 as UnitDefID, 0 as TeamID);
    collect(rig, "collect.units");
    // One of def 1 dies, another is started: still one under construction.
    c.unitCreated(12 as UnitID, 1 as UnitDefID, 0 as TeamID);
    c.unitDestroyed(11 as UnitID, 1 as UnitDefID, 0 as TeamID);
    collect(rig, "collect.units");
    // Then a second one: two; then one again.
    c.unitCreated(13 as UnitID, 1 as UnitDefID, 0 as TeamID);
    collect(rig, "collect.units");
    c.unitDestroyed(13 as UnitID, 1 as UnitDefID, 0 as TeamID);
    collect(rig, "collect.units");
    rig.frame();
    rig.frame();
    const units = ofKind(rig.lines(), "units");
    expect(units.map((u) => field(u, "teams"))).toEqual([
      [{ teamID: 0, finished: [], building: [[1, 1]], unknown: 0 }],
      [{ teamID: 0, finished: [], building: [[1, 2]], unknown: 0 }],
      [{ teamID: 0, finished: [], building: [[1, 1]], unknown: 0 }],
    ]);
  });

  it("reads a snapshot only after the changes recorded before it, so counts never go back", () => {
    const rig = connected();
    const c = rig.collector;
    c.unitCreated(11 as UnitID, 1 as UnitDefID, 0 as TeamID);
    collect(rig, "collect.units");
    // A unit appears after that units change was recorded, before a snapshot is asked for.
    c.unitCreated(12 as UnitID, 1 as UnitDefID, 0 as TeamID);
    rig.say('{"type":"resync"}\n');
    rig.frame();
    rig.frame();
    const lines = rig.lines();
    // The units message takes its seq when complete: the event recorded meanwhile goes first.
    expect(rig.types().slice(2)).toEqual([
      "unit_events",
      "unit_events",
      "units",
      "snapshot:resync",
    ]);
    const snapshot = ofKind(lines, "snapshot")[1];
    expect(field(snapshot, "units", 1, "building")).toEqual([[1, 2]]);
    // The next units change, after the snapshot, has nothing to correct.
    collect(rig, "collect.units");
    rig.frame();
    expect(ofKind(rig.lines(), "units").length).toBe(1);
  });
});

describe("session: unit events, a frame's in a row one message", () => {
  /** The rows of each unit_events line: their kind and unitID, "created:21". */
  function rowsOf(this: void, lines: Line[]): string[][] {
    return ofKind(lines, "unit_events").map((l) => {
      const out: string[] = [];
      for (const row of field(l, "events") as LuaTable<number, unknown>[]) {
        const r = row as unknown as LuaTable<number, unknown>;
        out.push(`${r.get(1)}:${r.get(2)}`);
      }
      return out;
    });
  }

  it("writes the unit events one frame recorded one after another as one unit_events, rows in order", () => {
    const rig = connected();
    const c = rig.collector;
    rig.game.frame = 200;
    c.unitCreated(21 as UnitID, 1 as UnitDefID, 0 as TeamID, 7 as UnitID);
    c.unitCreated(22 as UnitID, 2 as UnitDefID, 1 as TeamID);
    c.unitFinished(21 as UnitID, 1 as UnitDefID, 0 as TeamID);
    c.unitDestroyed(
      22 as UnitID,
      2 as UnitDefID,
      1 as TeamID,
      21 as UnitID,
      1 as UnitDefID,
      0 as TeamID,
      5 as WeaponDefID,
    );
    c.unitGiven(23 as UnitID, 3 as UnitDefID, 1 as TeamID, 0 as TeamID);
    c.unitTaken(24 as UnitID, 3 as UnitDefID, 0 as TeamID, 1 as TeamID);
    c.unitDestroyed(21 as UnitID, 1 as UnitDefID, 0 as TeamID);
    rig.frame();
    rig.frame();
    expect(rig.rawLines().slice(2)).toEqual([
      '{"type":"unit_events","seq":2,"frame":200,"events":[' +
        '["created",21,1,0,7],["created",22,2,1,null],["finished",21,1,0],' +
        '["destroyed",22,2,1,21,1,0,5],["given",23,3,0,1],["taken",24,3,0,1],' +
        '["destroyed",21,1,0,null,null,null,null]]}',
    ]);
    expect(rig.session.stats().produced).toBe(2);
  });

  it("starts another unit_events at another frame, after any other change in between, and in a later step", () => {
    const rig = connected();
    const c = rig.collector;
    const g = rig.game;
    g.frame = 200;
    c.unitCreated(31 as UnitID, 1 as UnitDefID, 0 as TeamID, 7 as UnitID);
    c.unitCreated(32 as UnitID, 1 as UnitDefID, 0 as TeamID, 7 as UnitID);
    g.frame = 201;
    c.unitCreated(33 as UnitID, 2 as UnitDefID, 1 as TeamID, 8 as UnitID);
    c.teamDied(1 as TeamID);
    c.unitFinished(33 as UnitID, 2 as UnitDefID, 1 as TeamID);
    c.unitFinished(32 as UnitID, 1 as UnitDefID, 0 as TeamID);
    rig.frame();
    // Recorded after the sender took the frame's first ones: a message of its own.
    c.unitFinished(31 as UnitID, 1 as UnitDefID, 0 as TeamID);
    rig.frame();
    rig.frame();
    const lines = rig.lines().slice(2);
    expect(rig.types().slice(2)).toEqual([
      "unit_events",
      "unit_events",
      "team_died",
      "unit_events",
      "unit_events",
    ]);
    expect(seqsOf(lines)).toEqual(range(2, 6));
    expect(lines.map((l) => l.get("frame"))).toEqual([200, 201, 201, 201, 201]);
    expect(rowsOf(lines)).toEqual([
      ["created:31", "created:32"],
      ["created:33"],
      ["finished:33", "finished:32"],
      ["finished:31"],
    ]);
  });

  it("splits more than 128 unit events of one frame into messages of at most 128, in order", () => {
    const rig = connected();
    rig.game.frame = 300;
    for (let i = 1; i <= 300; i++) {
      rig.collector.unitCreated(i as UnitID, 1 as UnitDefID, 0 as TeamID, 1000 as UnitID);
    }
    // Waiting, in changes: an event each, whatever the batches (the frame-rate guard's figure).
    expect(rig.session.waitingChanges()).toBe(300);
    for (let i = 0; i < 10 && rig.session.stats().produced < 4; i++) rig.frame();
    rig.frame();
    const lines = rig.lines().slice(2);
    expect(rig.types().slice(2)).toEqual(["unit_events", "unit_events", "unit_events"]);
    expect(seqsOf(lines)).toEqual([2, 3, 4]);
    expect(lines.map((l) => l.get("frame"))).toEqual([300, 300, 300]);
    const rows = rowsOf(lines);
    expect(rows.map((r) => r.length)).toEqual([128, 128, 44]);
    const ids: string[] = [];
    for (let i = 1; i <= 300; i++) ids.push(`created:${i}`);
    expect([...rows[0], ...rows[1], ...rows[2]]).toEqual(ids);
  });

  it("writes a batch made from a recycled one without the values its events had before", () => {
    const rig = connected();
    const c = rig.collector;
    rig.game.frame = 200;
    c.unitCreated(51 as UnitID, 1 as UnitDefID, 0 as TeamID, 7 as UnitID);
    c.unitDestroyed(
      52 as UnitID,
      2 as UnitDefID,
      1 as TeamID,
      51 as UnitID,
      1 as UnitDefID,
      0 as TeamID,
      5 as WeaponDefID,
    );
    rig.frame();
    // The same slots again (the batch written above, handed back), now without the optionals.
    rig.game.frame = 201;
    c.unitCreated(53 as UnitID, 1 as UnitDefID, 0 as TeamID);
    c.unitDestroyed(54 as UnitID, 2 as UnitDefID, 1 as TeamID);
    rig.frame();
    rig.frame();
    expect(rig.rawLines().slice(3)).toEqual([
      '{"type":"unit_events","seq":3,"frame":201,"events":[' +
        '["created",53,1,0,null],["destroyed",54,2,1,null,null,null,null]]}',
    ]);
  });

  it("ends a frame's unit events at a view change: those before, view_changed, those after, then its snapshot", () => {
    const rig = connected();
    const c = rig.collector;
    rig.game.frame = 200;
    c.unitCreated(41 as UnitID, 1 as UnitDefID, 0 as TeamID);
    c.unitCreated(42 as UnitID, 1 as UnitDefID, 0 as TeamID);
    rig.game.asPlayer(0, 0);
    expect(c.checkView()).toBe(true);
    c.unitFinished(41 as UnitID, 1 as UnitDefID, 0 as TeamID);
    for (let i = 0; i < 10 && rig.count("snapshot") < 2; i++) rig.frame();
    const lines = rig.lines().slice(2);
    expect(rig.types().slice(2)).toEqual([
      "unit_events",
      "view_changed",
      "unit_events",
      "snapshot:view_changed",
    ]);
    expect(lines.map((l) => l.get("frame"))).toEqual([200, 200, 200, 200]);
    expect(rowsOf(lines)).toEqual([["created:41", "created:42"], ["finished:41"]]);
  });

  it("counts unit_events messages lost beyond the backlog's bound under unit_events in the gap", () => {
    const rig = connected(new Rig({ backlogBytes: 400 }));
    rig.transport.openStatus = "failed";
    rig.transport.peerError = "closed";
    rig.frame();
    const c = rig.collector;
    c.teamDied(1 as TeamID);
    // 30 frames of two unit events each: 30 messages of two rows.
    for (let i = 1; i <= 30; i++) {
      rig.game.frame = 10 + i;
      c.unitCreated(i as UnitID, 1 as UnitDefID, 0 as TeamID, 1000 as UnitID);
      c.unitFinished(i as UnitID, 1 as UnitDefID, 0 as TeamID);
    }
    rig.frame();
    expect(rig.session.stats().produced).toBe(1 + 1 + 30);
    rig.transport.openStatus = "connected";
    rig.run(2);
    const lines = rig.lines();
    const gap = ofKind(lines, "gap")[0];
    // Seq 1 the connect snapshot (written, never acknowledged), 2 team_died, 3..32 unit_events.
    const received = seqsOf(lines);
    const lost: { [type: string]: number } = {};
    let missing = 0;
    for (let s = gap.get("firstSeq") as number; s <= (gap.get("lastSeq") as number); s++) {
      if (received.includes(s)) continue;
      const type = s === 1 ? "snapshot" : s === 2 ? "team_died" : "unit_events";
      lost[type] = (lost[type] ?? 0) + 1;
      missing += 1;
    }
    expect(gap.get("dropped")).toBe(missing);
    const counted: { [type: string]: number } = {};
    for (const entry of field(gap, "counts") as LuaTable<string, unknown>[]) {
      counted[entry.get("type") as string] = entry.get("count") as number;
    }
    expect(counted).toEqual(lost);
    // A message each, however many rows it held.
    const kept = ofKind(lines, "unit_events");
    expect(lost["unit_events"]).toBeGreaterThan(0);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length + lost["unit_events"]).toBe(30);
    for (const rows of rowsOf(kept)) expect(rows.length).toBe(2);
  });
});

describe("session: timers", () => {
  it("sends a keyframe snapshot after the interval, in wall-clock time and in game time", () => {
    const rig = connected();
    rig.saved.rates.snapshot = 10;
    rig.session.settingsChanged();
    rig.run(11);
    // The game has not moved: no keyframe.
    expect(ofKind(rig.lines(), "snapshot").length).toBe(1);
    rig.game.frame = 300;
    rig.frame();
    rig.frame();
    expect(rig.types()).toContain("snapshot:keyframe");
    const count = ofKind(rig.lines(), "snapshot").length;
    rig.game.frame = 600;
    rig.run(5);
    expect(ofKind(rig.lines(), "snapshot").length).toBe(count);
  });

  it("sends a heartbeat when nothing went out for 5 s, with the widget's counts", () => {
    const rig = connected(new Rig({ frameCost: () => ({ meanMs: 0.0625, maxMs: 0.8125 }) }));
    // The snapshot went out at 1000.25; it is 1000.5 now.
    rig.run(4.5);
    expect(rig.count("heartbeat")).toBe(0);
    rig.collector.teamDied(1 as TeamID);
    rig.frame(); // produced at 1005.25, out at 1005.5
    rig.run(4.5);
    expect(rig.count("heartbeat")).toBe(0);
    rig.run(1); // due at 1010.5, out at 1010.75
    const beats = ofKind(rig.lines(), "heartbeat");
    expect(beats.length).toBe(1);
    const hb = beats[0];
    expect(hb.get("seq")).toBe(3);
    expect(hb.get("produced")).toBe(3);
    expect(hb.get("sent")).toBe(2);
    expect(hb.get("acknowledged")).toBe(0);
    expect(hb.get("dropped")).toBe(0);
    // This receiver never acknowledged: after 10 s what was written counts as delivered.
    expect(hb.get("queuedMessages")).toBe(0);
    expect(hb.get("queuedBytes")).toBe(0);
    expect(hb.get("frameCostMeanMs")).toBe(0.0625);
    expect(hb.get("frameCostMaxMs")).toBe(0.8125);
    rig.run(5.25);
    expect(rig.count("heartbeat")).toBe(2);
  });

  it("sends no heartbeat while disconnected or while the socket does not take what waits", () => {
    const rig = connected();
    rig.transport.sendCapacity = 0;
    rig.collector.teamDied(1 as TeamID);
    rig.run(30);
    rig.transport.sendCapacity = math.huge;
    rig.frame();
    expect(rig.types().slice(2)).toEqual(["team_died"]);
    rig.connection.disconnect("test");
    rig.run(30);
    expect(rig.session.stats().produced).toBe(2);
  });
});

describe("session: delivery across connections", () => {
  /** Makes `n` team_died events and lets them go out. */
  function events(this: void, rig: Rig, n: number): void {
    for (let i = 0; i < n; i++) rig.collector.teamDied(i as TeamID);
    rig.frame();
    rig.frame();
  }

  /** The connection is lost, and a new one is made. */
  function reconnect(this: void, rig: Rig): void {
    rig.transport.peerError = "closed";
    rig.frame();
    rig.run(2);
  }

  it("resends from the first unacknowledged message, and says so in hello.nextSeq", () => {
    const rig = connected();
    events(rig, 5); // seqs 2..6
    rig.say('{"type":"ack","seq":3}\n');
    rig.frame();
    expect(rig.session.stats().acknowledged).toBe(3);
    reconnect(rig);
    const lines = rig.lines();
    expect(lines[0].get("nextSeq")).toBe(4);
    expect(seqsOf(lines).slice(0, 3)).toEqual([4, 5, 6]);
    expect(rig.types()[4]).toBe("snapshot:connect");
    expect(seqsOf(lines)[3]).toBe(7);
  });

  it("with a receiver that never acknowledges, counts what was written as delivered after a while", () => {
    const rig = connected(new Rig({ ackWaitSeconds: 10 }));
    events(rig, 3); // seqs 2..4
    rig.run(5);
    reconnect(rig);
    // Within the first 10 s everything written is kept: sent again.
    expect(rig.lines()[0].get("nextSeq")).toBe(1);
    rig.run(11);
    expect(rig.session.stats().acknowledging).toBe(false);
    events(rig, 2);
    const written = seqsOf(rig.lines());
    reconnect(rig);
    // Nothing written on the last connection is sent again.
    expect(rig.lines()[0].get("nextSeq")).toBeGreaterThan(written[written.length - 1]);
    expect(rig.types()[1]).toBe("snapshot:connect");
  });

  it("keeps what is produced while disconnected and sends it on the next connection", () => {
    const rig = connected();
    rig.transport.openStatus = "failed";
    rig.transport.peerError = "closed";
    rig.frame();
    events(rig, 3);
    rig.transport.openStatus = "connected";
    rig.run(2);
    expect(rig.types()).toEqual([
      "hello",
      "snapshot:connect",
      "team_died",
      "team_died",
      "team_died",
      "snapshot:connect",
    ]);
  });

  it("beyond a tiny bound drops messages, reports the gap with exact counts, then a snapshot", () => {
    const rig = connected(new Rig({ backlogBytes: 400 }));
    rig.transport.openStatus = "failed";
    rig.transport.peerError = "closed";
    rig.frame();
    for (let i = 0; i < 30; i++) rig.collector.teamDied(i as TeamID);
    rig.game.frame = 30;
    collect(rig, "collect.economy");
    rig.frame();
    rig.transport.openStatus = "connected";
    rig.run(2);
    const lines = rig.lines();
    const gap = ofKind(lines, "gap")[0];
    const received = seqsOf(lines);
    const missing: number[] = [];
    for (let s = gap.get("firstSeq") as number; s <= (gap.get("lastSeq") as number); s++) {
      if (!received.includes(s)) missing.push(s);
    }
    expect(missing.length).toBe(gap.get("dropped"));
    let counted = 0;
    for (const c of field(gap, "counts") as LuaTable<string, unknown>[]) {
      counted += c.get("count") as number;
    }
    expect(counted).toBe(gap.get("dropped"));
    const types = rig.types();
    expect(types.indexOf("gap") + 1).toBe(types.indexOf("snapshot:gap"));
    expect(rig.session.stats().dropped).toBe(gap.get("dropped"));
  });

  it("gives the reason gap to any snapshot that a gap goes before", () => {
    // The catalog is not read: each connect snapshot waits a second after hello.
    const rig = new Rig({ backlogBytes: 400 });
    rig.connect();
    rig.run(1.5);
    rig.transport.peerError = "closed";
    rig.frame();
    for (let i = 0; i < 30; i++) rig.collector.teamDied(i as TeamID);
    rig.frame();
    // The next socket takes 50 bytes and then nothing: when the connect snapshot is read
    // the link does not keep up, so it is read for "connect"; the loss goes before it
    // all the same, and the snapshot says so.
    rig.transport.plan.sendCapacity = 50;
    rig.run(3);
    expect(rig.transport.carried.length).toBe(2);
    rig.transport.sendCapacity = math.huge;
    rig.run(1);
    const types = rig.types();
    expect(types).toContain("gap");
    expect(types[types.indexOf("gap") + 1]).toBe("snapshot:gap");
  });

  it("does not open the next connection with the bye of one that ended before it went out", () => {
    const rig = connected();
    rig.say('{"type":"ack","seq":1}\n');
    rig.frame();
    rig.transport.sendCapacity = 0;
    rig.session.bye("disconnect");
    rig.connection.flush();
    rig.connection.disconnect("test");
    rig.transport.plan.sendCapacity = undefined;
    rig.connection.connect("test");
    rig.frame();
    rig.frame();
    // Taken back, and reported: it was never written.
    expect(rig.types()).toEqual(["hello", "gap", "snapshot:gap"]);
    const gap = rig.lines()[1];
    expect([gap.get("firstSeq"), gap.get("lastSeq"), gap.get("dropped")]).toEqual([2, 2, 1]);
    expect(field(gap, "counts")).toEqual([{ type: "bye", count: 1 }]);
  });

  it("produces no bye while disconnected", () => {
    const rig = connected();
    rig.connection.disconnect("test");
    rig.session.bye("disconnect");
    expect(rig.session.stats().produced).toBe(1);
  });

  it("writes bye at once on flush", () => {
    const rig = connected();
    rig.session.bye("shutdown");
    rig.connection.flush();
    const last = rig.lines()[rig.lines().length - 1];
    expect([last.get("type"), last.get("reason"), last.get("seq")]).toEqual(["bye", "shutdown", 2]);
  });
});

describe("session: the receiver's lines", () => {
  it("answers resync and configure with a snapshot; configure holds for this connection only", () => {
    const rig = connected();
    rig.say('{"type":"resync"}\n');
    rig.frame();
    rig.frame();
    expect(rig.types().slice(2)).toEqual(["snapshot:resync"]);
    rig.say(
      '{"type":"configure","categories":{"positions":true,"nonsense":true},"rates":{"positions":0.01,"snapshot":7200,"units":2}}\n',
    );
    rig.frame();
    rig.frame();
    const snapshot = ofKind(rig.lines(), "snapshot")[2];
    expect(snapshot.get("reason")).toBe("configure");
    expect(field(snapshot, "settings", "categories", "positions")).toBe(true);
    // Out of range: clamped.
    expect(field(snapshot, "settings", "rates")).toEqual({
      economy: 1,
      units: 2,
      positions: 0.1,
      damage: 1,
      snapshot: 3600,
    });
    const announced = rig.announced[rig.announced.length - 1];
    expect(announced.categories.positions).toBe(true);
    expect(announced.rates.units).toBe(2);
    // The saved settings are untouched, and back in force when the connection ends.
    expect(rig.saved.categories.positions).toBe(false);
    rig.transport.peerError = "closed";
    rig.frame();
    expect(rig.announced[rig.announced.length - 1].categories.positions).toBe(false);
    rig.run(2);
    expect(field(rig.lines()[0], "settings", "categories", "positions")).toBe(false);
  });

  it("counts and ignores what it cannot use, and keeps the connection", () => {
    const rig = connected();
    rig.say(
      [
        "not json",
        '{"type":"launch"}',
        '{"type":"ack"}',
        '{"type":"ack","seq":1.5}',
        '{"type":"ack","seq":99}', // beyond what was sent
        '{"type":"ack","seq":1,"session":"someone-else"}',
        '{"type":"configure","rates":{"units":"fast"}}',
        "[1,2",
        '{"type":"hello_reply","protocol":2,"receiver":"r","version":"1"}',
        "",
      ].join("\n"),
    );
    rig.frame();
    expect(rig.session.stats().inboundIgnored).toBe(8);
    expect(rig.session.stats().acknowledged).toBe(0);
    expect(rig.connection.state()).toBe("CONNECTED");
    rig.say('{"type":"ack","seq":1,"session":"0123456789abcdef"}\n');
    rig.frame();
    expect(rig.session.stats().acknowledged).toBe(1);
    expect(rig.session.stats().inboundIgnored).toBe(8);
  });

  it("discards a line longer than 4096 bytes up to its newline, counted once, and reads the next", () => {
    const rig = connected();
    rig.say(string.rep("x", 5000));
    rig.frame();
    rig.say(string.rep("y", 3000) + '\n{"type":"resync"}\n');
    rig.frame();
    rig.frame();
    expect(rig.session.stats().inboundIgnored).toBe(1);
    expect(rig.types()).toContain("snapshot:resync");
  });

  it("reads at most 16 KiB a frame, leaving the rest in the socket", () => {
    const rig = connected();
    const ack = '{"type":"ack","seq":1}\n';
    let flood = "";
    while (flood.length < 40000) flood += ack;
    rig.say(flood);
    rig.frame();
    expect(rig.transport.inbox.length).toBe(flood.length - 16384);
    rig.frame();
    rig.frame();
    expect(rig.transport.inbox.length).toBe(0);
    expect(rig.session.stats().inboundIgnored).toBe(0);
    expect(rig.session.stats().acknowledged).toBe(1);
  });
});

describe("session: big messages across frames", () => {
  /** A rig with `n` units of team 0 and positions on, connected. */
  function withUnits(this: void, n: number, checks: number): Rig {
    const rig = new Rig({}, (game) => {
      for (let i = 1; i <= n; i++) {
        const u = game.addUnit(i, 1 + (i % 3), i % 2);
        u.x = i + 0.5;
        u.z = 2 * i + 0.25;
      }
    });
    rig.saved.categories.positions = true;
    connected(rig);
    rig.checks = checks;
    return rig;
  }

  it("encodes 10,000 positions over many steps, each stopping when the budget says", () => {
    const rig = withUnits(10000, 4);
    collectPositions(rig);
    let frames = 0;
    while (rig.count("positions") === 0 && frames < 4000) {
      rig.frame(0.01);
      frames += 1;
    }
    // 4 looks a step, 8 rows between looks: at least 10,000 / 32 steps.
    expect(frames).toBeGreaterThanOrEqual(10000 / 32);
    expect(frames).toBeLessThan(10000 / 24);
    const positions = ofKind(rig.lines(), "positions")[0];
    const rows = field(positions, "units") as LuaTable<number, unknown>;
    expect(rows.length()).toBe(10000);
    // Team 0's units first, then team 1's.
    expect(rows.get(1)).toEqual([2, 3, 0, 2.5, 4.25, 0.5]);
    expect(rows.get(5000)).toEqual([10000, 2, 0, 10000.5, 20000.25, 0.5]);
    expect(rows.get(10000)).toEqual([9999, 1, 1, 9999.5, 19998.25, 0.5]);
  });

  it("lets events produced meanwhile go first, and gives positions the seq they complete with", () => {
    const rig = withUnits(2000, 2);
    collectPositions(rig);
    rig.frame();
    rig.collector.teamDied(1 as TeamID);
    for (let i = 0; i < 400; i++) rig.frame(0.01);
    const types = rig.types().slice(2);
    expect(types).toEqual(["team_died", "positions"]);
    expect(seqsOf(rig.lines()).slice(1)).toEqual([2, 3]);
  });

  it("produces no positions while disconnected", () => {
    const rig = withUnits(50, 1_000_000);
    rig.connection.disconnect("test");
    collectPositions(rig);
    rig.frame();
    expect(rig.session.stats().produced).toBe(1);
  });
});

/** A positions scan, run to its end. */
function collectPositions(this: void, rig: Rig): void {
  collect(rig, "collect.positions");
}

describe("session: the view changes", () => {
  it("sends view_changed, then a snapshot of the new view", () => {
    const rig = connected();
    rig.game.asSpectator(false);
    rig.collector.checkView();
    rig.frame();
    rig.frame();
    expect(rig.types().slice(2)).toEqual(["view_changed", "snapshot:view_changed"]);
    const [changed, snapshot] = rig.lines().slice(2);
    expect(field(changed, "view", "kind")).toBe("spectator");
    expect(field(changed, "previous", "kind")).toBe("fullview");
    expect(field(snapshot, "view", "kind")).toBe("spectator");
  });
});

describe("session: a receiver that accepts and never reads", () => {
  it("stays within the backlog bound, counts every message it drops, and adds no heartbeat or keyframe", () => {
    const rig = connected(new Rig({ backlogBytes: 20000 }));
    rig.transport.sendCapacity = 0;
    for (let i = 0; i < 200; i++) {
      for (let k = 0; k < 20; k++) rig.collector.teamDied(k as TeamID);
      rig.game.frame += 30;
      rig.frame(1);
    }
    const s = rig.session.stats();
    expect(s.queuedBytes).toBeLessThanOrEqual(20000);
    expect(s.produced).toBe(1 + 4000);
    expect(s.dropped).toBeGreaterThan(3000);
    expect(s.queuedMessages + s.dropped).toBe(s.produced - 1);
  });
});

describe("session: changes dropped before they were produced", () => {
  it("gives them seqs and reports them in the next gap, before a snapshot", () => {
    const rig = connected(new Rig({}, undefined, 100));
    for (let i = 0; i < 150; i++) rig.collector.teamDied(i as TeamID);
    for (let i = 0; i < 10 && rig.count("gap") === 0; i++) rig.frame();
    const lines = rig.lines();
    const gap = ofKind(lines, "gap")[0];
    expect(gap.get("dropped")).toBe(50);
    expect([gap.get("firstSeq"), gap.get("lastSeq")]).toEqual([2, 51]);
    const types = rig.types();
    expect(types.indexOf("gap") + 1).toBe(types.indexOf("snapshot:gap"));
    // The 100 kept follow the reserved seqs.
    expect(seqsOf(lines).slice(1, 101)).toEqual(range(52, 151));
    expect(rig.session.stats().dropped).toBe(50);
  });

  it("counts a batch of unit events dropped whole as a seq and a drop per event", () => {
    const rig = connected(new Rig({}, undefined, 100));
    rig.collector.teamDied(1 as TeamID);
    rig.game.frame = 300;
    // 99 events fill the queue; the 100th drops team_died, the 101st the batch of 100.
    for (let i = 1; i <= 150; i++) {
      rig.collector.unitCreated(i as UnitID, 1 as UnitDefID, 0 as TeamID);
    }
    expect(rig.session.waitingChanges()).toBe(50);
    for (let i = 0; i < 10 && rig.count("gap") === 0; i++) rig.frame();
    const lines = rig.lines();
    const gap = ofKind(lines, "gap")[0];
    expect([gap.get("firstSeq"), gap.get("lastSeq"), gap.get("dropped")]).toEqual([2, 102, 101]);
    const events = ofKind(lines, "unit_events");
    expect(events.map((l) => l.get("seq"))).toEqual([103]);
    expect((field(events[0], "events") as unknown[]).length).toBe(50);
    expect(field(events[0], "events", 1, 2)).toBe(101);
    expect(rig.session.stats().dropped).toBe(101);
    expect(rig.collector.changes.droppedTotal).toBe(101);
  });
});
