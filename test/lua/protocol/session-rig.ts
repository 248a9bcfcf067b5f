/**
 * A session wired as the widget wires it, around fakes: a small game (FakeGame) read by
 * the real Collector, the real Connection over a scripted transport, a manual clock,
 * and a counting budget for the session's jobs. The receiver's side reads back what
 * each connection carried, line by line, decoded.
 */
import { Collector } from "../../../src/collect/collector";
import { Connection } from "../../../src/link/connection";
import { decodeJson } from "../../../src/protocol/inbound";
import { Session, SessionOptions } from "../../../src/protocol/session";
import { applyToCollector } from "../../../src/protocol/wire";
import type { Settings } from "../../../protocol/messages";
import { CountingBudget, FakeGame, unitDefRead } from "../fakes/fake-game";
import { ManualClock } from "../fakes/manual-clock";
import { ScriptedTransport } from "../fakes/scripted-transport";
import { runJob } from "../collect/helpers";

/** A decoded line: fields by name (null fields are absent), arrays 1-based. */
export type Line = LuaTable<string, unknown>;

export function defaultSettings(this: void): Settings {
  return {
    categories: {
      economy: true,
      units: true,
      stats: true,
      events: true,
      unitdefs: true,
      positions: false,
      damage: false,
    },
    rates: { economy: 1, units: 1, positions: 1, damage: 1, snapshot: 60 },
  };
}

export class Rig {
  readonly game = new FakeGame();
  readonly clock = new ManualClock(1000);
  readonly transport = new ScriptedTransport();
  readonly budget = new CountingBudget();
  readonly collector: Collector;
  readonly session: Session;
  readonly connection: Connection;
  /** What `onSettings` announced, in order. */
  readonly announced: Settings[] = [];
  saved: Settings = defaultSettings();
  token: string | undefined;
  /** Looks at the budget each job step gets (a step ends once they are used). */
  checks = 1_000_000;

  constructor(
    options: Partial<SessionOptions> = {},
    setUp?: (this: void, game: FakeGame) => void,
    changeLimit?: number,
  ) {
    this.game.asSpectator(true);
    this.game.addTeam(0, 0, 2);
    this.game.addTeam(1, 1, 2);
    this.game.defs = [unitDefRead("armcom"), unitDefRead("corcom"), unitDefRead("armpw")];
    if (setUp !== undefined) setUp(this.game);
    this.collector = new Collector(this.game, { changeLimit });
    applyToCollector(this.saved, this.collector.settings);
    this.session = new Session({
      source: this.collector,
      clock: this.clock,
      id: "0123456789abcdef",
      version: "9.9.9",
      settings: () => this.saved,
      token: () => this.token,
      // As the app does: the settings in force decide what the collector collects.
      onSettings: (s) => {
        this.announced.push(s);
        applyToCollector(s, this.collector.settings);
      },
      ...options,
    });
    this.connection = new Connection(
      this.transport,
      this.clock,
      {
        host: "127.0.0.1",
        port: 9876,
        autoReconnect: true,
        retryInitialDelay: 1,
        retryMaxDelay: 30,
        connectTimeout: 5,
        silenceTimeout: 0,
      },
      { onTransition: () => undefined },
      { feed: this.session },
    );
  }

  /** Reads the whole catalog (the collector's job, run to its end). */
  readCatalog(): this {
    runJob(this.collector.catalog, this.game.frame);
    return this;
  }

  /** One frame `seconds` after the last: the connection, then the session's jobs. */
  frame(seconds = 0.25): void {
    this.clock.advance(seconds);
    this.connection.update();
    this.runJobs();
  }

  /** The session's jobs once, with `checks` looks at the budget each. */
  runJobs(): void {
    const budget = this.budget;
    budget.now = this.clock.now();
    budget.gameFrame = this.game.frame;
    budget.reset(this.checks, this.game.frame);
    this.session.sender.step(budget);
    budget.reset(this.checks, this.game.frame);
    this.session.bulk.step(budget);
  }

  /** Frames until `seconds` have passed. */
  run(seconds: number, step = 0.25): void {
    const end = this.clock.now() + seconds;
    while (this.clock.now() + step <= end + 1e-9) this.frame(step);
  }

  /** Connects and runs the first frame. */
  connect(): this {
    this.connection.connect("test");
    this.runJobs();
    return this;
  }

  /** How many lines of `type` connection `index` carried (without decoding them). */
  count(type: string, index = this.transport.carried.length): number {
    let n = 0;
    for (const line of this.rawLines(index)) {
      if (string.find(line, `{"type":"${type}"`, 1, true)[0] === 1) n += 1;
    }
    return n;
  }

  /** The raw lines connection `index` carried (1-based; default the current one). */
  rawLines(index = this.transport.carried.length): string[] {
    // Complete lines only (a long one may still be on its way). A plain find: a pattern
    // such as "([^\n]*)\n" retries from every byte of an unterminated tail.
    const text = this.transport.carried[index - 1] ?? "";
    const out: string[] = [];
    let pos = 1;
    for (;;) {
      const [newline] = string.find(text, "\n", pos, true);
      if (newline === undefined) break;
      out.push(string.sub(text, pos, newline - 1));
      pos = newline + 1;
    }
    return out;
  }

  /** The decoded lines connection `index` carried (raises on a line that is not JSON). */
  lines(index?: number): Line[] {
    return this.rawLines(index).map((text) => {
      const [value, err] = decodeJson(text);
      if (err !== undefined) throw `not JSON (${err}): ${text}`;
      return value as Line;
    });
  }

  /** "type" or "type:reason" of each line of the current connection. */
  types(index?: number): string[] {
    return this.lines(index).map((l) => {
      const reason = l.get("reason");
      return reason !== undefined ? `${l.get("type")}:${reason}` : (l.get("type") as string);
    });
  }

  /** The receiver writes `text`, read in the next frame. */
  say(text: string): void {
    this.transport.inbox += text;
  }
}

/** The lines of `type`. */
export function ofKind(this: void, lines: Line[], type: string): Line[] {
  return lines.filter((l) => l.get("type") === type);
}

/** The seqs of the lines (hello has none: skipped). */
export function seqsOf(this: void, lines: Line[]): number[] {
  const out: number[] = [];
  for (const l of lines) {
    const seq = l.get("seq");
    if (seq !== undefined) out.push(seq as number);
  }
  return out;
}
