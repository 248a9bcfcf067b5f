/** Name lookups through the engine's socket.dns.toip. */
import { describe, expect, it } from "../framework";
import { ScriptedSocketLib } from "../fakes/scripted-socket";
import { createDnsResolver } from "../../../src/engine/dns-resolver";
import type { SocketLibrary } from "../../../src/engine/luasocket-transport";

describe("the engine's resolver", () => {
  it("answers the first IPv4 address of a name", () => {
    const lib = new ScriptedSocketLib();
    lib.names.set("receiver.lan", "10.0.0.5");
    const [ip, err] = createDnsResolver(lib.asLibrary()).lookup("receiver.lan");
    expect(ip).toBe("10.0.0.5");
    expect(err).toBeUndefined();
    expect(lib.lookups).toBe(1);
  });

  it("passes the engine's reason on", () => {
    const lib = new ScriptedSocketLib();
    const [ip, err] = createDnsResolver(lib.asLibrary()).lookup("nowhere.lan");
    expect(ip).toBeUndefined();
    expect(err).toBe("host not found");
  });

  it("says so when LuaSocket has no lookups", () => {
    const [ip, err] = createDnsResolver(undefined).lookup("receiver.lan");
    expect(ip).toBeUndefined();
    expect(err).toContain("cannot look up");
    const bare = { tcp: () => undefined } as unknown as SocketLibrary;
    expect(createDnsResolver(bare).lookup("receiver.lan")[1]).toContain("cannot look up");
  });
});
