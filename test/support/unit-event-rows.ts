/**
 * The unit event rows of `unit_events` (UnitEventRow in protocol/messages.ts): each kind
 * with the collector's change type and the change's fields in row order, after the kind.
 */
export const UNIT_EVENT_ROWS: ReadonlyArray<
  readonly [type: string, kind: string, fields: readonly string[]]
> = [
  ["unit_created", "created", ["unitID", "unitDefID", "teamID", "builderID"]],
  ["unit_finished", "finished", ["unitID", "unitDefID", "teamID"]],
  [
    "unit_destroyed",
    "destroyed",
    [
      "unitID",
      "unitDefID",
      "teamID",
      "attackerID",
      "attackerDefID",
      "attackerTeamID",
      "weaponDefID",
    ],
  ],
  ["unit_given", "given", ["unitID", "unitDefID", "oldTeamID", "newTeamID"]],
  ["unit_taken", "taken", ["unitID", "unitDefID", "oldTeamID", "newTeamID"]],
];
