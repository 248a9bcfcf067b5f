// Plays a file of widget lines to a listener as the widget would, to try a listener without
// the game, and waits until the listener acknowledges the last seq. Node.js 18+, no packages.
//   node play.mjs <lines.ndjson> [port]        e.g. protocol/fixtures/session.ndjson 9876
import { readFileSync } from "node:fs";
import net from "node:net";

const [file, port = "9876"] = process.argv.slice(2);
const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
const last = Math.max(...lines.map((line) => JSON.parse(line).seq ?? 0));
const socket = net.connect(Number(port), "127.0.0.1", () => {
  console.log(`connected: sending ${lines.length} lines, the last seq ${last}`);
  socket.write(`${lines.join("\n")}\n`);
});
const timeout = setTimeout(() => {
  console.log(`no acknowledgement of seq ${last} within 10 s`);
  process.exitCode = 1;
  socket.end();
}, 10_000);
let pending = "";
socket.setEncoding("utf8");
socket.on("data", (data) => {
  const received = (pending + data).split("\n");
  pending = received.pop();
  for (const line of received) {
    console.log(`received ${line}`);
    if (JSON.parse(line).seq >= last) {
      console.log("all acknowledged");
      clearTimeout(timeout);
      socket.end();
    }
  }
});
socket.on("error", (error) => {
  console.log(`connection failed: ${error.message}`);
  clearTimeout(timeout);
  process.exitCode = 1;
});
