// Reads the Live Data Export stream. Node.js 18+, no packages.
//   node listen.mjs [port]        (the default port is 9876)
import net from "node:net";

const port = Number(process.argv[2] ?? 9876);
const highest = new Map(); // session -> highest seq handled; a reconnect resends, drop the rest
const num = (x) => (x === null ? "?" : x.toFixed(1)); // a float is null where the engine had nan/inf

// A unit event row as a line: [kind, unitID, unitDefID, teamID] (created, finished,
// destroyed) or [kind, unitID, unitDefID, oldTeamID, newTeamID] (given, taken); a kind this
// script does not know (a later version may add some) gives null: skip the row.
function unitEvent([kind, unitID, unitDefID, team, newTeam]) {
  if (kind === "given" || kind === "taken")
    return `${kind} unit ${unitID} (def ${unitDefID}) from team ${team} to team ${newTeam}`;
  if (kind === "created" || kind === "finished" || kind === "destroyed")
    return `${kind} unit ${unitID} (def ${unitDefID}) of team ${team}`;
  return null;
}

function report(m) {
  // One row per unit event, in the order the game made them.
  for (const row of m.type === "unit_events" ? m.events : []) {
    const line = unitEvent(row);
    if (line !== null) console.log(line);
  }
  for (const t of m.type === "economy" ? m.teams : [])
    console.log(
      `team ${t.teamID}: metal ${num(t.metal.income)}/s, energy ${num(t.energy.income)}/s`,
    );
}

const server = net.createServer((socket) => {
  let session = null;
  let pending = "";
  let acked = 0;
  const ackTimer = setInterval(() => {
    // At most every 250 ms: one ack covers everything up to its seq.
    const seq = highest.get(session) ?? 0;
    if (seq > acked) socket.write(`${JSON.stringify({ type: "ack", seq, session })}\n`);
    acked = Math.max(acked, seq);
  }, 250);
  socket.setEncoding("utf8");
  socket.on("data", (data) => {
    const lines = (pending + data).split("\n");
    pending = lines.pop(); // an incomplete line waits for the rest
    for (const line of lines) {
      let m;
      try {
        m = JSON.parse(line);
      } catch {
        return socket.destroy(); // not the widget: a line that is not JSON
      }
      if (m.type === "hello") {
        if (m.protocol !== 2) {
          console.log(`refused: protocol ${m.protocol}, this script reads 2`);
          return socket.destroy();
        }
        session = m.session;
        if (!highest.has(session)) highest.set(session, 0);
        console.log(`widget connected: session ${session}, next seq ${m.nextSeq}`);
      } else if (session !== null && m.seq > highest.get(session)) {
        highest.set(session, m.seq);
        report(m);
      }
    }
  });
  socket.on("error", () => {}); // a reset: "close" follows, and the widget reconnects
  socket.on("close", () => {
    clearInterval(ackTimer);
    console.log("widget disconnected");
  });
});
server.listen(port, "127.0.0.1", () => console.log(`listening on 127.0.0.1:${port}`));
