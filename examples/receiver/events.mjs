// Follows the receiver's change feed over HTTP (GET /api/events?after=<id>). Node.js 18+.
//   node events.mjs [http://127.0.0.1:9877]
const base = process.argv[2] ?? "http://127.0.0.1:9877";
let epoch = null; // ids restart with every start of the receiver, which epoch names
let after = 0; // the last id read; 0 reads the whole feed, a state's lastId only what is new
let reachable = true;

async function get(path) {
  const response = await fetch(base + path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

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

function show(e) {
  const what = e.kind === "status" ? `status ${e.status}` : e.message.type;
  const seq = e.message?.seq === undefined ? "" : ` seq ${e.message.seq}`;
  const line = `#${e.id} ${e.session}: ${what}${seq}`;
  if (e.message?.type !== "unit_events") return console.log(line);
  // One line per unit event (a row), in the order the game made them.
  for (const row of e.message.events) {
    const event = unitEvent(row);
    if (event !== null) console.log(`${line}, ${event}`);
  }
}

/** Reads one page; returns how long to wait before the next. */
async function poll() {
  const page = await get(`/api/events?after=${after}`);
  if (epoch !== null && page.epoch !== epoch) {
    console.log("the receiver restarted: reading its feed from the start");
    after = 0;
  } else if (!page.complete) {
    // Events after `after` were dropped (the feed keeps the latest 20,000): take the state.
    const { lastId, session } = await get("/api/state");
    console.log(`missed events: going on from the state of ${session.session} at #${lastId}`);
    after = lastId;
  } else {
    page.events.forEach(show);
    after = page.next;
  }
  epoch = page.epoch;
  return page.events.length === 1000 ? 0 : 1000; // a full page: more are waiting
}

for (;;) {
  let wait = 1000;
  try {
    wait = await poll();
    reachable = true;
  } catch (error) {
    if (reachable) console.log(`receiver not reachable (${error.cause?.code ?? error.message})`);
    reachable = false;
  }
  await new Promise((resolve) => setTimeout(resolve, wait));
}
