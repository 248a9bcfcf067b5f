// Follows the receiver's WebSocket stream and resumes where it left off after a disconnection.
//   node stream.mjs [ws://127.0.0.1:9877/api/stream]
// Node.js 22+ has a global WebSocket; on Node.js 20 this takes the ws package (npm install ws).
const WebSocket = globalThis.WebSocket ?? (await import("ws")).default;
const url = process.argv[2] ?? "ws://127.0.0.1:9877/api/stream";
let epoch = null; // the receiver's start; ids from another start cannot be resumed
let lastId = 0; // the last event seen

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

function connect() {
  const address = new URL(url);
  if (epoch !== null) {
    address.searchParams.set("after", String(lastId));
    address.searchParams.set("epoch", epoch);
  }
  const ws = new WebSocket(address);
  ws.onmessage = ({ data }) => {
    const m = JSON.parse(data);
    if (m.type === "state") {
      // The whole state: first, or again when the events we missed are gone.
      [epoch, lastId] = [m.epoch, m.lastId];
      console.log(`state at #${m.lastId}: ${Object.keys(m.states).length} session(s)`);
      for (const s of Object.values(m.states)) {
        const incomes = s.teams
          .filter((t) => t.metal)
          .map((t) => `${t.info.teamID}: ${t.metal.income}`);
        console.log(`  ${s.session} at seq ${s.seq}, metal income by team {${incomes.join(", ")}}`);
      }
    } else if (m.type === "resume") {
      console.log(`resumed after #${lastId}`);
    } else if (m.type === "event") {
      lastId = m.id;
      const what = m.kind === "status" ? `status ${m.status}` : m.message.type;
      const seq = m.message?.seq === undefined ? "" : ` seq ${m.message.seq}`;
      const line = `#${m.id} ${m.session}: ${what}${seq}`;
      if (m.message?.type !== "unit_events") console.log(line);
      else {
        // One line per unit event (a row), in the order the game made them.
        for (const row of m.message.events) {
          const event = unitEvent(row);
          if (event !== null) console.log(`${line}, ${event}`);
        }
      }
    } // "sessions" (every second) carries each session's status and rates
  };
  ws.onerror = () => {}; // "close" follows
  ws.onclose = () => {
    console.log("stream closed; reconnecting in 1 s");
    setTimeout(connect, 1000);
  };
}
connect();
