/**
 * The game world's access rules, call-in routing and statistics timing, per
 * view, on a scripted game whose geometry fixes what each ally team sees.
 * Expected values come from ../shared/docs/bar-game-data.md through the
 * independent model in test/host/world-model.ts and from the shared unit defs;
 * nothing is copied from the world's output.
 */
import { afterEach, describe, expect, it } from "vitest";
import path from "node:path";
import { BarHost } from "../host/driver.ts";
import {
  REPO_ROOT,
  luaInterpreters,
  registerMissingInterpreterTests,
} from "../support/interpreters.ts";
import { readTruth, worldConfig, type TruthLine } from "../host/world-driver.ts";
import {
  STATS_FRAMES,
  STORAGE,
  WorldModel,
  isLosCallin,
  type Call,
  type ModelUnit,
  type Script,
  type ViewSpec,
} from "../host/world-model.ts";

const PROBE = path.join(REPO_ROOT, "test/host/fixtures/world_access_probe.lua");

afterEach(async () => {
  await BarHost.killAll();
});

/** What the probe reports for one call: its values, or the error raised. */
type Try = { n: number; v: unknown[] | Record<string, never> } | { error: string };
interface ProbeTeam {
  teamID: number;
  info: Try;
  metal: Try;
  energy: Try;
  start: Try;
  maxUnits: Try;
  unitCount: Try;
  units: Try;
  unitsCounts: Try;
  historyCount: Try;
  resourceStats: Try;
  unitStats: Try;
  damageStats: Try;
  history?: Try;
  historyLast?: Try;
  historyClamped?: Try[];
}
interface ProbeUnit {
  id: number;
  defID: Try;
  team: Try;
  allyTeam: Try;
  position: Try;
  health: Try;
  beingBuilt: Try;
}
interface Probe {
  frame: Try;
  spectating: Try;
  replay: Try;
  gameOver: Try;
  myPlayerID: number;
  myTeamID: number;
  myAllyTeamID: number;
  gameFrames: number;
  log: { name: string; frame: number; n: number; args: unknown[] | Record<string, never> }[];
  players: { id: number; info: Try }[];
  teams: ProbeTeam[];
  units: ProbeUnit[];
  allUnits: number[] | Record<string, never>;
  badTeam: ProbeTeam;
  negativeTeam: ProbeTeam;
}

function vals(t: Try | undefined): unknown[] {
  if (!t || "error" in t) throw new Error(`expected values, got ${JSON.stringify(t)}`);
  return Array.isArray(t.v) ? t.v : [];
}
/** No value at all: the engine's `return 0` (§0: a failed check is not an error). */
function nothing(t: Try | undefined, what: string): void {
  expect(t, what).toEqual({ n: 0, v: {} });
}
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const f32 = (a: unknown[]): unknown[] => a.map((x) => (typeof x === "number" ? Math.fround(x) : x));

// ---------------------------------------------------------------------------
// The scripted game. Squares are 1024 elmos; (cx, cz) below.
// Ally team 0: teams 0 and 1; ally team 1: team 2 and the AI team 3; Gaia is
// team 4 in ally team 2. Player 3 is a spectator.
const SCRIPT: Script = {
  allyTeams: [0, 1],
  teams: [
    { teamID: 0, allyTeamID: 0, leader: 0, isAI: false, side: "Armada", startX: 500, startZ: 500, metalIncome: 10, energyIncome: 100 },
    { teamID: 1, allyTeamID: 0, leader: 1, isAI: false, side: "Cortex", startX: 7700, startZ: 7700, metalIncome: 11, energyIncome: 110 },
    { teamID: 2, allyTeamID: 1, leader: 2, isAI: false, side: "Cortex", startX: 4500, startZ: 4500, metalIncome: 12, energyIncome: 120 },
    { teamID: 3, allyTeamID: 1, leader: 2, isAI: true, side: "Cortex", startX: 4600, startZ: 4600, metalIncome: 13, energyIncome: 130 },
  ],
  players: [
    { playerID: 0, name: "Player 1", teamID: 0, spectator: false },
    { playerID: 1, name: "Player 2", teamID: 1, spectator: false },
    { playerID: 2, name: "Player 3", teamID: 2, spectator: false },
    { playerID: 3, name: "Spectator", teamID: 0, spectator: true },
  ],
  events: [
    // ally 0: A, D at (0,0), C at (2,0), B at (7,7)
    { frame: 0, op: "create", key: "A", def: "armpw", team: 0, x: 500, z: 500 },
    { frame: 0, op: "create", key: "D", def: "armllt", team: 0, x: 800, z: 300 },
    { frame: 0, op: "create", key: "C", def: "armllt", team: 0, x: 2500, z: 500 },
    { frame: 0, op: "create", key: "B", def: "corak", team: 1, x: 7700, z: 7700 },
    // ally 1: E1 and E4 at (0,0) (in ally 0's LOS), E2 at (1,0) (radar),
    // E3 at (4,4) (hidden), F at (0,0), E7 at (3,2)
    { frame: 10, op: "create", key: "E1", def: "corak", team: 2, x: 600, z: 600 },
    { frame: 10, op: "create", key: "E2", def: "corllt", team: 2, x: 1500, z: 500 },
    { frame: 10, op: "create", key: "E3", def: "corak", team: 3, x: 4500, z: 4500 },
    { frame: 10, op: "create", key: "E4", def: "corthud", team: 3, x: 700, z: 700 },
    { frame: 10, op: "create", key: "F", def: "corak", team: 2, x: 900, z: 900 },
    // E7 at (3,2): two squares from C, so hidden (radar reaches one square)
    { frame: 10, op: "create", key: "E7", def: "corllt", team: 3, x: 3500, z: 2500 },
    // E4 leaves ally 0's LOS for its radar: a typed blip from the next second
    { frame: 45, op: "move", key: "E4", x: 1600, z: 1600 },
    // read 1 at frame 70
    { frame: 75, op: "destroy", key: "E1", attacker: "A" },
    { frame: 80, op: "destroy", key: "B", attacker: "E4" },
    { frame: 85, op: "destroy", key: "C", attacker: "E3" },
    { frame: 95, op: "give", key: "E2", team: 3 },
    { frame: 100, op: "give", key: "E3", team: 2 },
    { frame: 105, op: "give", key: "A", team: 1 },
    { frame: 108, op: "give", key: "F", team: 0 },
    { frame: 115, op: "damage", key: "A", damage: 50, attacker: "E4" },
    { frame: 116, op: "damage", key: "E4", damage: 30, attacker: "A" },
    { frame: 121, op: "create", key: "E5", def: "corak", team: 2, x: 650, z: 650, buildFrames: 20 },
    { frame: 122, op: "create", key: "E6", def: "corak", team: 3, x: 1700, z: 600, buildFrames: 20 },
    { frame: 155, op: "destroy", key: "A", attacker: "E4" },
    { frame: 160, op: "killTeam", team: 1 },
  ],
}; // prettier-ignore
const READ1 = 70;
const READ2 = 200;

const VIEWS: { spec: ViewSpec; myPlayerID: number }[] = [
  { spec: { kind: "player", team: 0 }, myPlayerID: 0 },
  { spec: { kind: "spectator", team: 2 }, myPlayerID: 3 }, // watches ally team 1
  { spec: { kind: "fullview", team: 0 }, myPlayerID: 3 },
  { spec: { kind: "replay", team: 0 }, myPlayerID: 4 }, // an extra player
];

async function startScript(
  lua: { path: string },
  script: Script,
  view: ViewSpec,
): Promise<{ host: BarHost; truthLog: string }> {
  const { configPath, truthLog } = worldConfig({
    driver: "script",
    script,
    seed: 11,
    view: view.kind,
    viewTeam: view.team,
    speed: 1e-9, // game time moves only by "world step"
    autoStart: false,
    truthTeams: false,
  });
  const host = await BarHost.start({
    interpreter: lua.path,
    widget: PROBE,
    world: configPath,
    statusApi: "WorldAccessProbe",
    fps: 100,
    maxSeconds: 60,
  });
  return { host, truthLog };
}

async function read(host: BarHost, ids: Record<string, number>): Promise<Probe> {
  await host.chat(`/accessprobe units ${Object.values(ids).join(",")}`);
  return (await host.status()).widgetStatus as Probe;
}

/** The §2 table, checked for every team and unit of one read. */
function checkReads(p: Probe, m: WorldModel, myPlayerID: number, label: string): void {
  const frame = m.frame;
  const full = m.fullView;
  expect(vals(p.frame), `${label} frame`).toEqual([frame, 0]);
  expect(vals(p.gameOver)[0], `${label} IsGameOver`).toBe(m.gameOver);
  expect(vals(p.replay)[0], `${label} IsReplay`).toBe(m.view.kind === "replay");
  // spectating, fullView, fullSelect (Player.cpp StartSpectating sets both)
  expect(vals(p.spectating), `${label} GetSpectatingState`).toEqual([m.spectating, full, full]);
  expect([p.myPlayerID, p.myTeamID, p.myAllyTeamID], `${label} my IDs`).toEqual([
    myPlayerID,
    m.view.team,
    m.readAlly,
  ]);

  // players: 12 values, spectator flags as the game went
  const playerIDs = [
    ...SCRIPT.players.map((q) => q.playerID),
    ...(m.view.kind === "replay" ? [4] : []),
  ];
  expect(p.players.map((q) => q.id).sort(), `${label} GetPlayerList`).toEqual(playerIDs);
  for (const q of p.players) {
    const info = q.info as { n: number };
    expect(info.n, `${label} GetPlayerInfo(${q.id}) count`).toBe(12);
    const v = vals(q.info);
    const sp = SCRIPT.players.find((x) => x.playerID === q.id);
    const spectator = sp ? m.playerSpectator.get(q.id) : true;
    expect(v[2], `${label} player ${q.id} spectator`).toBe(spectator);
    // (a spectator's team follows the team it watches)
    if (sp && !sp.spectator) {
      expect(v[3], `${label} player ${q.id} team`).toBe(sp.teamID);
      expect(v[4], `${label} player ${q.id} ally`).toBe(m.allyOf(sp.teamID));
    }
    expect(typeof v[10], `${label} player ${q.id} customKeys`).toBe("object");
  }

  // teams
  expect(p.teams.map((t) => t.teamID)).toEqual([0, 1, 2, 3, 4]);
  for (const t of p.teams) {
    const id = t.teamID;
    const st = SCRIPT.teams.find((x) => x.teamID === id);
    const tm = m.teams.get(id)!;
    const allied = m.alliedTeam(id);
    const L = `${label} team ${id}`;
    // GetTeamInfo: full data for every team (8 values with the keys table)
    const info = vals(t.info);
    expect((t.info as { n: number }).n, `${L} GetTeamInfo count`).toBe(8);
    expect([info[0], info[2], info[3], info[5], info[6]], `${L} GetTeamInfo`).toEqual([
      id,
      tm.isDead,
      st?.isAI ?? false,
      m.allyOf(id),
      1,
    ]);
    if (st) expect(info[4], `${L} side`).toBe(st.side);

    // GetTeamResources: allies only, never enemies (not even after game over)
    if (allied) {
      const mi = st?.metalIncome ?? 0;
      const ei = st?.energyIncome ?? 0;
      const k = Math.floor(frame / 30);
      const share = Math.fround(0.99);
      // floats in the engine; a float interpreter's JSON gives the shortest
      // decimal of the float, so compare as floats
      expect(f32(vals(t.metal)), `${L} metal`).toEqual([Math.min(STORAGE, k * mi), STORAGE, 0, k > 0 ? mi : 0, 0, share, 0, 0, 0]); // prettier-ignore
      expect(f32(vals(t.energy)), `${L} energy`).toEqual([Math.min(STORAGE, k * ei), STORAGE, 0, k > 0 ? ei : 0, 0, share, 0, 0, 0]); // prettier-ignore
    } else {
      nothing(t.metal, `${L} enemy metal`);
      nothing(t.energy, `${L} enemy energy`);
    }
    // GetTeamStartPosition: allies only, even after game over
    if (allied) {
      const s = vals(t.start);
      expect([s[0], s[2], s[3]], `${L} start`).toEqual([
        st?.startX ?? 0,
        st?.startZ ?? 0,
        st !== undefined,
      ]);
    } else {
      nothing(t.start, `${L} enemy start`);
    }
    // GetTeamMaxUnits: max, nil for enemies
    const mu = vals(t.maxUnits);
    expect(typeof mu[0], `${L} max units`).toBe("number");
    const alive = [...m.units.values()].filter((u) => u.alive && u.team === id);
    expect(mu[1] ?? "nil", `${L} current units`).toBe(allied ? alive.length : "nil");

    // statistics: enemies only after game over
    const k = Math.floor(frame / 30);
    const statsReadable = allied || m.gameOver;
    const produced = k * (st?.metalIncome ?? 0);
    if (statsReadable) {
      const count = Math.floor(frame / STATS_FRAMES) + 2;
      expect(vals(t.historyCount), `${L} history count`).toEqual([count]);
      const hist = arr(vals(t.history)[0]) as Record<string, number>[];
      expect(hist.map((e) => [e.frame, e.time]), `${L} history frames`).toEqual([[0, 0], [frame, Math.floor(frame / 30)]]); // prettier-ignore
      expect(hist[0]!.unitsProduced, `${L} entry 1`).toBe(tm.produced0);
      const live = hist[1]!;
      expect(
        [live.unitsProduced, live.unitsDied, live.unitsKilled, live.unitsSent, live.unitsReceived,
          live.damageDealt, live.damageReceived, live.metalProduced, live.energyProduced],
        `${L} live entry`,
      ).toEqual([tm.unitsProduced, tm.unitsDied, tm.unitsKilled, tm.unitsSent, tm.unitsReceived,
        tm.damageDealt, tm.damageReceived, produced, k * (st?.energyIncome ?? 0)]); // prettier-ignore
      expect(vals(t.resourceStats), `${L} GetTeamResourceStats`).toEqual([0, produced, 0, 0, 0]);
      expect(vals(t.unitStats), `${L} GetTeamUnitStats`).toEqual([tm.unitsKilled, tm.unitsDied, 0, 0, tm.unitsReceived, tm.unitsSent]); // prettier-ignore
      expect(vals(t.damageStats), `${L} GetTeamDamageStats`).toEqual([
        tm.damageDealt,
        tm.damageReceived,
      ]);
    } else {
      nothing(t.historyCount, `${L} enemy history`);
      nothing(t.resourceStats, `${L} enemy resource stats`);
      nothing(t.unitStats, `${L} enemy unit stats`);
      nothing(t.damageStats, `${L} enemy damage stats`);
    }

    // unit lists: enemies' units in LOS or radar; counts: typed units by
    // def, untyped blips under "unknown"
    const visible = alive.filter((u) => m.visible(u));
    expect(arr(vals(t.units)[0]), `${L} GetTeamUnits`).toEqual(visible.map((u) => u.id).sort((a, b) => a - b)); // prettier-ignore
    expect(vals(t.unitCount), `${L} GetTeamUnitCount`).toEqual([visible.length]);
    const counts: Record<string, number> = {};
    for (const u of visible) {
      const key = m.typed(u) ? String(u.defID) : "unknown";
      counts[key] = (counts[key] ?? 0) + 1;
    }
    counts.n = Object.keys(counts).length;
    expect(vals(t.unitsCounts)[0], `${L} GetTeamUnitsCounts`).toEqual(counts);
  }

  // an invalid teamID raises "Bad teamID" (ParseTeam); GetTeamInfo returns nothing
  for (const bad of [p.badTeam, p.negativeTeam]) {
    for (const k of [
      "metal",
      "start",
      "historyCount",
      "unitsCounts",
      "unitCount",
      "units",
    ] as const) {
      expect((bad[k] as { error?: string }).error, `${label} team ${bad.teamID} ${k}`).toMatch(
        /Bad teamID/,
      );
    }
    nothing(bad.info, `${label} GetTeamInfo(${bad.teamID})`);
  }

  // units
  const all = [...m.units.values()].filter((u) => u.alive && m.visible(u)).map((u) => u.id);
  expect(arr(p.allUnits), `${label} GetAllUnits`).toEqual(all.sort((a, b) => a - b));
  for (const pu of p.units) {
    const u = [...m.units.values()].find((x) => x.id === pu.id)!;
    checkUnit(pu, u, m, `${label} unit ${u.key}`);
  }
}

function checkUnit(pu: ProbeUnit, u: ModelUnit, m: WorldModel, L: string): void {
  if (!u.alive || !m.visible(u)) {
    for (const k of ["defID", "team", "allyTeam", "position", "health", "beingBuilt"] as const) {
      nothing(pu[k], `${L} ${k} (dead or hidden)`);
    }
    return;
  }
  const inLos = m.allied(u) || u.inLos;
  // GetUnitDefID: nil for an untyped blip
  if (m.typed(u)) expect(vals(pu.defID), `${L} def`).toEqual([u.defID]);
  else nothing(pu.defID, `${L} def of an untyped blip`);
  expect(vals(pu.team), `${L} team`).toEqual([u.team]);
  expect(vals(pu.allyTeam), `${L} ally team`).toEqual([m.allyOf(u.team)]);
  const pos = vals(pu.position) as number[];
  expect(pos, `${L} position`).toHaveLength(3);
  if (inLos) {
    // exact in LOS, and always with full view (no error vector)
    expect([pos[0], pos[2]], `${L} position`).toEqual([u.x, u.z]);
  } else {
    // radar only: plus the radar error
    const [dx, dz] = [pos[0]! - u.x, pos[2]! - u.z];
    expect(Math.abs(dx) <= 64 && Math.abs(dz) <= 64, `${L} radar error ${dx},${dz}`).toBe(true);
    expect(dx !== 0 || dz !== 0, `${L} radar error not zero`).toBe(true);
  }
  // health and build state: LOS only
  if (inLos) {
    expect(vals(pu.health), `${L} health`).toEqual([u.health, u.maxHealth, 0, 0, 1]);
    expect(vals(pu.beingBuilt), `${L} being built`).toEqual([false, 1]);
  } else {
    nothing(pu.health, `${L} health in radar`);
    nothing(pu.beingBuilt, `${L} being built in radar`);
  }
}

/** Call-ins the view got, against the model: per frame, the unit and game
 * call-ins in order, the LOS ones as a set (their order follows the world's
 * unit lists). */
function checkCalls(p: Probe, m: WorldModel, label: string): void {
  const trim = (a: unknown[]): unknown[] => {
    const out = a.map((x) => (x === undefined ? "nil" : x));
    while (out.length > 0 && out[out.length - 1] === "nil") out.pop();
    return out;
  };
  const got = p.log.map((c) => ({ name: c.name, frame: c.frame, args: trim(arr(c.args)) }));
  const want = m.calls.map((c: Call) => ({ name: c.name, frame: c.frame, args: trim(c.args) }));
  const main = (l: typeof got) => l.filter((c) => !isLosCallin(c.name));
  const los = (l: typeof got) =>
    l
      .filter((c) => isLosCallin(c.name))
      .map((c) => JSON.stringify(c))
      .sort();
  expect(main(got), `${label} call-ins`).toEqual(main(want));
  expect(los(got), `${label} LOS call-ins`).toEqual(los(want));
  // BAR calls GameOver() without arguments
  for (const c of p.log.filter((x) => x.name === "GameOver"))
    expect(c.n, `${label} GameOver args`).toBe(0);
}

/** The truth log holds what happened, whatever the view. */
function checkTruth(truth: TruthLine[], ids: Record<string, number>, label: string): void {
  const units = new Map(Object.entries(ids).map(([k, v]) => [v, k]));
  const got = truth
    .filter((l) =>
      ["UnitCreated", "UnitDestroyed", "UnitGiven", "UnitDamaged", "TeamDied"].includes(l.e),
    )
    .map(
      (l) => `${l.f} ${l.e} ${l.e === "TeamDied" ? String(l.team) : units.get(Number(l.unitID))}`,
    );
  const want = SCRIPT.events
    .filter((e) => e.op !== "move")
    .map((e) => {
      const name = { create: "UnitCreated", destroy: "UnitDestroyed", give: "UnitGiven", damage: "UnitDamaged", killTeam: "TeamDied" }[e.op as string]; // prettier-ignore
      return `${e.frame} ${name} ${"key" in e ? e.key : String((e as { team: number }).team)}`;
    });
  expect(got, `${label} truth events`).toEqual(want);
}

registerMissingInterpreterTests();

describe.each(luaInterpreters())("game world rules under $name", (lua) => {
  it.each(VIEWS)(
    "$spec.kind view: reads (§2) before and after game over, call-ins (§3), truth log",
    async ({ spec, myPlayerID }) => {
      const { host, truthLog } = await startScript(lua, SCRIPT, spec);
      const state = await host.world(`step ${READ1}`);
      const ids = (state.driver as { units: Record<string, number> }).units;
      expect(Object.keys(ids).sort()).toEqual([
        "A",
        "B",
        "C",
        "D",
        "E1",
        "E2",
        "E3",
        "E4",
        "E7",
        "F",
      ]);
      const m = new WorldModel(SCRIPT, spec, ids);
      m.start();
      m.runTo(READ1);
      checkReads(await read(host, ids), m, myPlayerID, `${spec.kind} @${READ1}`);

      const state2 = await host.world(`step ${READ2 - READ1}`);
      const ids2 = (state2.driver as { units: Record<string, number> }).units;
      Object.assign(ids, ids2);
      m.runTo(READ2);
      await host.world("pause");
      m.pause(true, myPlayerID);
      await host.world("unpause");
      m.pause(false, myPlayerID);
      checkReads(await read(host, ids), m, myPlayerID, `${spec.kind} @${READ2}`);

      await host.world("gameover");
      m.endGame();
      const after = await read(host, ids);
      checkReads(after, m, myPlayerID, `${spec.kind} after game over`);
      checkCalls(after, m, spec.kind);
      expect(after.gameFrames).toBe(READ2);
      await host.shutdown();
      checkTruth(readTruth(truthLog), ids, spec.kind);
    },
    60_000,
  );

  it("a player whose team dies becomes a full-view spectator (PlayerChanged) and then gets every unit call-in", async () => {
    const script: Script = {
      ...SCRIPT,
      events: [
        ...SCRIPT.events.filter((e) => e.frame <= 10),
        { frame: 40, op: "killTeam", team: 0 },
        { frame: 50, op: "create", key: "G", def: "corak", team: 3, x: 5000, z: 5000 },
        { frame: 55, op: "damage", key: "E3", damage: 10, attacker: "G" },
        { frame: 60, op: "destroy", key: "E3", attacker: "G" },
      ],
    };
    const spec: ViewSpec = { kind: "player", team: 0 };
    const { host } = await startScript(lua, script, spec);
    const before = (await host.world("step 39")).driver as { units: Record<string, number> };
    const pBefore = await read(host, before.units);
    expect(vals(pBefore.spectating)).toEqual([false, false, false]);
    const ids = ((await host.world("step 31")).driver as { units: Record<string, number> }).units;
    const m = new WorldModel(script, spec, ids);
    m.start();
    m.runTo(70);
    expect(m.fullView).toBe(true); // the model agrees: full view after death
    const p = await read(host, ids);
    checkReads(p, m, 0, "dead player");
    checkCalls(p, m, "dead player");
    // the enemy unit's whole life reached the widget
    const g = ids.G!;
    expect(p.log.filter((c) => arr(c.args)[0] === g).map((c) => c.name)).toEqual([
      "UnitCreated",
      "UnitFinished",
    ]);
    await host.shutdown();
  }, 60_000);

  it("statistics history: an entry every 450 frames, the last one live, ranges clamped", async () => {
    const script: Script = { ...SCRIPT, events: SCRIPT.events.filter((e) => e.frame === 0) };
    const spec: ViewSpec = { kind: "player", team: 0 };
    const { host } = await startScript(lua, script, spec);
    const income = SCRIPT.teams[0]!.metalIncome;
    let at = 0;
    for (const frame of [449, 450, 451, 899, 900, 1351]) {
      await host.world(`step ${frame - at}`);
      at = frame;
      const p = await read(host, {});
      const t = p.teams.find((x) => x.teamID === 0)!;
      const pushed = Math.floor(frame / STATS_FRAMES) + 1; // at 0, 450, ...
      const count = pushed + 1; // and the live one
      expect(vals(t.historyCount), `count @${frame}`).toEqual([count]);
      const hist = arr(vals(t.history)[0]) as Record<string, number>[];
      const frames = [...Array.from({ length: pushed }, (_, i) => i * STATS_FRAMES), frame];
      expect(
        hist.map((e) => e.frame),
        `frames @${frame}`,
      ).toEqual(frames);
      // time = frame / 30 with integer division
      expect(
        hist.map((e) => e.time),
        `times @${frame}`,
      ).toEqual(frames.map((f) => Math.floor(f / 30)));
      // values: the statistics at each entry's frame (income once a second)
      expect(hist.map((e) => e.metalProduced), `values @${frame}`).toEqual(frames.map((f) => Math.floor(f / 30) * income)); // prettier-ignore
      // (team, n): the live entry alone
      expect(arr(vals(t.historyLast)[0]), `last @${frame}`).toEqual([hist[count - 1]]);
      // clamping (LuaSyncedRead.cpp): i and j into 1..count, then i..j, so
      // j < i gives an empty list
      const [zero, negative, beyond, tail, reversed] = t.historyClamped!.map((c) =>
        arr(vals(c)[0]),
      );
      expect(zero, `(team, 0) @${frame}`).toEqual([hist[0]]);
      expect(negative, `(team, -3, 1) @${frame}`).toEqual([hist[0]]);
      expect(beyond, `(team, n+5) @${frame}`).toEqual([hist[count - 1]]);
      expect(tail, `(team, n-1, n+10) @${frame}`).toEqual(hist.slice(count - 2));
      expect(reversed, `(team, 2, 1) @${frame}`).toEqual([]);
    }
    await host.shutdown();
  }, 60_000);
});
