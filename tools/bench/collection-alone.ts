/**
 * A copy of the built widget whose protocol session encodes nothing: what the collection
 * alone costs a frame (issue #9's goals are for the collection; #12 wants them to hold
 * with the protocol running, which the unpatched widget measures).
 *
 * The boundary is the collector's change queue (src/collect/changes.ts): everything up to
 * it is the collection (the call-ins' inbox, the frame's lead, the `collect.*` jobs, the
 * scheduler and the app's Update), everything after it the session. In the copy the
 * session's two jobs keep running under the scheduler as before, but its sender only
 * takes each recorded change off the queue (recycling the unit event batches, as the
 * real sender does after encoding one) and its bulk job does nothing: no message, no
 * backlog, no snapshot. The queue then holds no more than a frame's changes, as with a
 * session that keeps up.
 *
 * The copy replaces `Session.prototype.stepSender` and `stepBulk` (src/protocol/session.ts)
 * at load, before the widget's entry runs; it fails to load if either is gone.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { bundleEntryAt } from "./bundle.ts";

const PATCH = `-- tools/bench/collection-alone.ts: the session takes each change and encodes nothing
do
  local Session = require("src.protocol.session").Session
  assert(Session.prototype.stepSender ~= nil and Session.prototype.stepBulk ~= nil,
    "collection-alone: the session's jobs are not where this copy expects them")
  Session.prototype.stepSender = function(self)
    local changes = self.source.changes
    local change = changes:shift()
    while change ~= nil do
      if change.type == "unit_events" then changes:recycle(change) end
      change = changes:shift()
    end
    return true
  end
  Session.prototype.stepBulk = function()
    return true
  end
end
`;

/** Writes the collection-alone copy of the widget bundle `input` to `output`. */
export function writeCollectionAloneWidget(input: string, output: string): void {
  const source = readFileSync(input, "utf8");
  const at = bundleEntryAt(source, input);
  if (!source.includes("function Session.prototype.stepSender(")) {
    throw new Error(
      `${input} has no Session.prototype.stepSender: update tools/bench/collection-alone.ts`,
    );
  }
  writeFileSync(output, source.slice(0, at) + PATCH + source.slice(at));
}
