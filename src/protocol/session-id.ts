/**
 * The session id (`hello.session`): 16 lowercase hex characters, unique per widget
 * start and game. The engine adapter gathers what differs between starts (time of
 * day, clocks, the game's id, memory in use) and this hashes it. Four independent
 * 16-bit hashes, with every intermediate value below 2^24, so the result is the same
 * under the engine's single-precision numbers as under doubles.
 */

const MODULUS = 65521; // the largest prime below 2^16
const MULTIPLIERS = [31, 37, 41, 43];
const SEEDS = [7919, 104, 52711, 33391];

/** A session id from `entropy` (strings as they are, numbers as `tostring` writes them). */
export function makeSessionID(entropy: readonly (string | number)[]): string {
  const text = entropy.map((part) => tostring(part)).join("|");
  const out: string[] = [];
  for (let lane = 0; lane < 4; lane++) {
    const multiplier = MULTIPLIERS[lane];
    let h = SEEDS[lane];
    for (let i = 1; i <= text.length; i++) {
      h = (h * multiplier + string.byte(text, i) + lane) % MODULUS;
    }
    out.push(string.format("%04x", h));
  }
  return out.join("");
}
