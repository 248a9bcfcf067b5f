/**
 * The engine's ids, branded so that one kind cannot be passed where another is
 * expected (a `TeamID` is not an `AllyTeamID`). At run time they are plain Lua
 * numbers: whole, exact even under the engine's single-precision floats (unit ids
 * are below 32000: `MAX_UNITS` in RecoilEngine rts/Sim/Misc/GlobalConstants.h).
 *
 * Make one from a number the engine returned with a cast (`n as TeamID`); doing
 * arithmetic on one gives back a plain number.
 *
 * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp
 */

/** A unit; ids are recycled after the unit dies (RecoilEngine rts/Sim/Misc/SimObjectIDPool.cpp). */
declare type UnitID = number & { readonly __brand: "UnitID" };
/** An entry of `UnitDefs`, 1..N in sorted-name order: not stable across game versions. */
declare type UnitDefID = number & { readonly __brand: "UnitDefID" };
/** A team (one player or AI, or Gaia); 0-based. */
declare type TeamID = number & { readonly __brand: "TeamID" };
/** An ally team (the teams that win or lose together); 0-based. */
declare type AllyTeamID = number & { readonly __brand: "AllyTeamID" };
/** A player or spectator; 0-based. */
declare type PlayerID = number & { readonly __brand: "PlayerID" };
/** An entry of `WeaponDefs`. */
declare type WeaponDefID = number & { readonly __brand: "WeaponDefID" };
/** A feature (wreck, tree, rock). */
declare type FeatureID = number & { readonly __brand: "FeatureID" };
