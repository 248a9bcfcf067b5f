/**
 * What differs between two starts of the widget, hashed into the protocol's session id
 * (src/protocol/session-id.ts): the time of day to the second (os.date formats it in
 * C, exact under float numbers), the engine's clock since it started, the game's id
 * and frame (a `/luaui reload` in the same game differs in frame and clock), and the
 * Lua memory in use. Any read the engine lacks is left out.
 */
function read(this: void, f: (this: void) => string | number | undefined): string | number {
  const [ok, value] = pcall(f);
  return ok && value !== undefined ? value : "-";
}

export function sessionEntropy(this: void): (string | number)[] {
  return [
    read(() => os.date("%Y%m%d%H%M%S")),
    read(() => os.clock()),
    read(() => {
      const id = Spring.GetGameRulesParam("GameID");
      return typeof id === "string" || typeof id === "number" ? id : undefined;
    }),
    read(() => {
      const [frame, day] = Spring.GetGameFrame();
      return `${frame}/${day}`;
    }),
    read(() => collectgarbage("count")),
    read(() => math.random(0, 65535)),
  ];
}
