/**
 * The wire shape of every message (protocol/messages.ts), for the encoder: which tables are
 * arrays, tuples or objects, and the key order (`type`, `seq`, `frame` first, then the fields
 * as declared). test/protocol/shapes.test.ts checks these against the JSON Schemas.
 */
import type { OutboundType } from "../../protocol/messages";
import { OPTIONAL, arrayOf, bool, int, num, object, str, tagged, tuple } from "./json";
import type { ObjectShape, Shape } from "./json";
import type { ExtFields } from "../collect/model";

const view = object([
  ["kind", str],
  ["playerID", num],
  ["teamID", num],
  ["allyTeamID", num],
]);

const settings = object([
  [
    "categories",
    object([
      ["economy", bool],
      ["units", bool],
      ["stats", bool],
      ["events", bool],
      ["unitdefs", bool],
      ["positions", bool],
      ["damage", bool],
    ]),
  ],
  [
    "rates",
    object([
      ["economy", num],
      ["units", num],
      ["positions", num],
      ["damage", num],
      ["snapshot", num],
    ]),
  ],
]);

const gameInfo = object([
  ["gameSeconds", num],
  ["wantedSpeed", num],
  ["speed", num],
  ["paused", bool],
  ["started", bool],
  ["over", bool],
  ["replay", bool],
  ["mapName", str],
  ["mapSizeX", num],
  ["mapSizeZ", num],
  ["gameName", str],
  ["gameVersion", str],
  ["engineVersion", str],
  ["gameID", str],
]);

const player = object([
  ["playerID", num],
  ["name", str],
  ["teamID", num],
  ["allyTeamID", num],
  ["spectator", bool],
  ["active", bool],
  ["pingSeconds", num],
  ["cpuUsage", num],
]);

const team = object([
  ["teamID", num],
  ["allyTeamID", num],
  ["leader", num],
  ["isAI", bool],
  ["aiName", str],
  ["side", str],
  ["color", tuple([num, num, num, num])],
  ["isDead", bool],
  ["isGaia", bool],
  [
    "startPosition",
    object([
      ["x", num],
      ["z", num],
    ]),
  ],
]);

const resource = object([
  ["current", num],
  ["storage", num],
  ["pull", num],
  ["income", num],
  ["expense", num],
  ["share", num],
  ["sent", num],
  ["received", num],
  ["excess", num],
]);

const teamEconomy = object([
  ["teamID", num],
  ["metal", resource],
  ["energy", resource],
]);

const unitCounts = arrayOf(tuple([num, num]));
const teamUnits = object([
  ["teamID", num],
  ["finished", unitCounts],
  ["building", unitCounts],
  ["unknown", num],
]);

const statsEntry = object([
  ["time", num],
  ["frame", num],
  ["metalUsed", num],
  ["metalProduced", num],
  ["metalExcess", num],
  ["metalReceived", num],
  ["metalSent", num],
  ["energyUsed", num],
  ["energyProduced", num],
  ["energyExcess", num],
  ["energyReceived", num],
  ["energySent", num],
  ["damageDealt", num],
  ["damageReceived", num],
  ["unitsProduced", num],
  ["unitsDied", num],
  ["unitsReceived", num],
  ["unitsSent", num],
  ["unitsCaptured", num],
  ["unitsOutCaptured", num],
  ["unitsKilled", num],
]);

const unitDef = object([
  ["unitDefID", num],
  ["name", str],
  ["humanName", str],
  ["metalCost", num],
  ["energyCost", num],
  ["buildTime", num],
  ["health", num],
  ["speed", num],
  ["buildSpeed", num],
  ["isBuilding", bool],
  ["isFactory", bool],
  ["isBuilder", bool],
  ["unitgroup", str],
  ["techlevel", num],
  ["iscommander", bool],
  ["weaponCount", num],
]);

/** A sequenced message: `type`, `seq`, `frame`, then `fields`. */
function message(
  fields: ReadonlyArray<readonly [string, Shape] | readonly [string, Shape, boolean]>,
): ObjectShape {
  const all: Array<readonly [string, Shape] | readonly [string, Shape, boolean]> = [
    ["type", str],
    ["seq", int],
    ["frame", int],
  ];
  for (const field of fields) all.push(field);
  return object(all);
}

/**
 * A unit event's row (UnitEventRow in protocol/messages.ts); the session writes these with
 * its own fast writer (unit-events.ts), byte for byte as this shape would.
 */
export const UNIT_EVENT_ROW = tagged([
  ["created", tuple([str, num, num, num, num])],
  ["finished", tuple([str, num, num, num])],
  ["destroyed", tuple([str, num, num, num, num, num, num, num])],
  ["given", tuple([str, num, num, num, num])],
  ["taken", tuple([str, num, num, num, num])],
]);

/** Shapes of the messages the widget writes, by type. */
export const OUTBOUND_SHAPES: Record<OutboundType, ObjectShape> = {
  hello: object([
    ["type", str],
    ["protocol", num],
    ["source", str],
    ["version", str],
    ["session", str],
    ["nextSeq", num],
    ["frame", num],
    ["engineVersion", str],
    ["gameName", str],
    ["gameVersion", str],
    ["mapName", str],
    ["gameID", str],
    ["view", view],
    ["settings", settings],
    ["token", str, OPTIONAL],
  ]),
  unitdefs: message([
    ["part", num],
    ["parts", num],
    ["unitDefs", arrayOf(unitDef)],
  ]),
  snapshot: message([
    ["reason", str],
    ["game", gameInfo],
    ["view", view],
    ["settings", settings],
    ["players", arrayOf(player)],
    ["teams", arrayOf(team)],
    ["economy", arrayOf(teamEconomy)],
    ["units", arrayOf(teamUnits)],
    [
      "stats",
      arrayOf(
        object([
          ["teamID", num],
          ["entry", statsEntry],
        ]),
      ),
    ],
  ]),
  economy: message([["teams", arrayOf(teamEconomy)]]),
  units: message([["teams", arrayOf(teamUnits)]]),
  positions: message([
    ["fromFrame", num],
    ["units", arrayOf(tuple([num, num, num, num, num, num]))],
  ]),
  damage: message([
    ["fromFrame", num],
    ["units", arrayOf(tuple([num, num, num, num]))],
    [
      "teams",
      arrayOf(
        object([
          ["teamID", num],
          ["taken", num],
          ["paralyzeTaken", num],
          ["dealt", num],
          ["paralyzeDealt", num],
        ]),
      ),
    ],
  ]),
  stats: message([
    ["teamID", num],
    ["entry", statsEntry],
  ]),
  unit_events: message([["events", arrayOf(UNIT_EVENT_ROW)]]),
  team_died: message([["teamID", num]]),
  player_added: message([["player", player]]),
  player_changed: message([["player", player]]),
  player_removed: message([["playerID", num]]),
  game_started: message([]),
  game_paused: message([["playerID", num]]),
  game_resumed: message([["playerID", num]]),
  game_over: message([
    ["winners", arrayOf(num)],
    ["winnersDerived", bool],
  ]),
  view_changed: message([
    ["view", view],
    ["previous", view],
  ]),
  heartbeat: message([
    ["produced", num],
    ["sent", num],
    ["acknowledged", num],
    ["dropped", num],
    ["queuedMessages", num],
    ["queuedBytes", num],
    ["nonFinite", num],
    ["inboundIgnored", num],
    ["frameCostMeanMs", num],
    ["frameCostMaxMs", num],
    ["throttleLevel", num, OPTIONAL],
  ]),
  gap: message([
    ["firstSeq", num],
    ["lastSeq", num],
    ["dropped", num],
    [
      "counts",
      arrayOf(
        object([
          ["type", str],
          ["count", num],
        ]),
      ),
    ],
  ]),
  bye: message([["reason", str]]),
  // Its fields vary by publisher: each message is encoded with `extShape` (the schema
  // has them as an open object).
  ext: message([["fields", object([])]]),
};

/** The shape of one `ext` message: its (checked) fields by name, in sorted order. */
export function extShape(fields: ExtFields): ObjectShape {
  const list: [string, Shape][] = [];
  for (const [key, value] of fields) {
    list.push([key, typeof value === "string" ? str : typeof value === "boolean" ? bool : num]);
  }
  list.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return message([["fields", object(list)]]);
}
