// The command console in-process, fed through a stream as standard input would be.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { startCommandConsole } from "../../receiver/commandConsole.ts";
import { connect, connectionError, startServer, watchClose } from "./helpers.ts";

async function runConsole(commands: string, withClient = false) {
  const { server, port } = await startServer();
  const socket = withClient ? await connect(port) : undefined;
  if (socket) await server.waitForConnection();
  const messages: string[] = [];
  let quitCalls = 0;
  const input = new PassThrough();
  const console = startCommandConsole({
    server,
    input,
    log: (message) => messages.push(message),
    onQuit: () => {
      quitCalls++;
    },
  });
  const closed = socket ? watchClose(socket) : undefined;
  input.end(commands);
  await console.finished;
  return { server, port, messages, quitCalls: () => quitCalls, closed };
}

describe("command console", () => {
  it("runs commands in order, each after the previous finished", async () => {
    const { server, messages, closed } = await runConsole("status\nkick\nstatus\n", true);
    expect(messages[0]).toMatch(/^status: listening on .*\n1 client connected:\n  #1 /);
    expect(messages[1]).toBe("kicked 1 client; still listening");
    expect(messages[2]).toMatch(/\n0 clients connected\n/);
    expect(messages[2]).toContain("connections in total: 1 accepted, 1 closed");
    expect(await closed).toMatchObject({ ended: true });
    expect(server.status().listening).toBe(true);
  });

  it("stops and starts the listener", async () => {
    const { server, port, messages } = await runConsole("stop\nstop\nstart\nstart\n");
    expect(messages[0]).toBe('already stopped; "start" listens again');
    expect(messages[1]).toBe(`already listening on 127.0.0.1:${port}`);
    expect(server.status()).toMatchObject({ listening: true, port });
  });

  it("leaves the server down after stop", async () => {
    const { server, port } = await runConsole("stop\n");
    expect(server.status().listening).toBe(false);
    expect(await connectionError(port)).toBe("ECONNREFUSED");
  }, 15_000);

  it("hints at help for unknown commands and skips blank lines", async () => {
    const { messages } = await runConsole("\n  \nfrobnicate\r\nhelp\n");
    expect(messages[0]).toBe('unknown command "frobnicate"; type "help" for the list');
    expect(messages[1]).toMatch(/^Commands:\n/);
    expect(messages.at(-1)).toMatch(/^standard input closed/);
  });

  it("hands quit to its owner once and reads nothing after it", async () => {
    const { messages, quitCalls } = await runConsole("quit\nstatus\nquit\n");
    expect(quitCalls()).toBe(1);
    expect(messages).toEqual([]);
  });

  it("treats the end of input as the end of commands only", async () => {
    const { server, messages } = await runConsole("");
    expect(messages).toEqual([
      "standard input closed: no more commands are read; stop the server with Ctrl-C or SIGTERM",
    ]);
    expect(server.status().listening).toBe(true);
  });
});
