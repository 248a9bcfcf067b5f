/** Transpiles the protocol encoder once before the protocol tests (they run the Lua). */
import { buildProtocolLua } from "./lua-harness.ts";

export default function setup(): void {
  buildProtocolLua();
}
