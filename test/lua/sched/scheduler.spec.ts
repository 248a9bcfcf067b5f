/** The frame-budget scheduler, driven by a fake stopwatch and a manual wall clock. */
import { beforeEach, describe, expect, it } from "../framework";
import { FakeStopwatch } from "../fakes/fake-stopwatch";
import { ManualClock } from "../fakes/manual-clock";
import { BEHIND_FRAMES, Scheduler, SPARE_TARGET } from "../../../src/sched/scheduler";
import { Priority } from "../../../src/sched/task";
import type { Slice, Work } from "../../../src/sched/work";
import { Fixed, Hungry, Scan } from "./helpers";

let stopwatch: FakeStopwatch;
let clock: ManualClock;
let errors: string[];
let scheduler: Scheduler;

beforeEach(() => {
  stopwatch = new FakeStopwatch();
  clock = new ManualClock(100);
  errors = [];
  scheduler = new Scheduler({
    stopwatch,
    clock,
    budgetMs: 0.5,
    onTaskError: (task, message) => {
      errors.push(`${task}: ${message}`);
    },
  });
});

/** Runs `n` frames, 1/60 s of wall time apart. */
function frames(this: void, n: number, secondsApart = 1 / 60): void {
  for (let i = 0; i < n; i++) {
    scheduler.runFrame();
    clock.advance(secondsApart);
  }
}

/** Runs `seconds` of wall time at `fps` draw frames, `gameFps` game frames per wall second. */
function play(this: void, seconds: number, fps: number, gameFps: number): void {
  let game = 0;
  for (let i = 0; i < seconds * fps; i++) {
    game += gameFps / fps;
    scheduler.setGameFrame(math.floor(game));
    scheduler.runFrame();
    clock.advance(1 / fps);
  }
}

/**
 * When a periodic task runs if it is looked at every frame and always has the time:
 * Task's rule (due when every rate it has allows it; the next run a period after this
 * one, keeping the phase unless a period behind), written out independently.
 */
class RateModel {
  runs = 0;
  private nextTime = -math.huge;
  private nextFrame = -math.huge;
  constructor(
    private readonly seconds: number | undefined,
    private readonly gameFrames: number | undefined,
  ) {}

  frame(now: number, gameFrame: number): void {
    if (this.seconds !== undefined && now < this.nextTime) return;
    if (this.gameFrames !== undefined && gameFrame < this.nextFrame) return;
    this.runs += 1;
    if (this.seconds !== undefined) {
      this.nextTime = math.min(this.nextTime, now) + this.seconds;
      if (this.nextTime <= now) this.nextTime = now + this.seconds;
    }
    if (this.gameFrames !== undefined) {
      this.nextFrame = math.min(this.nextFrame, gameFrame) + this.gameFrames;
      if (this.nextFrame <= gameFrame) this.nextFrame = gameFrame + this.gameFrames;
    }
  }
}

/**
 * Runs frames until spare time fills the whole budget (work that keeps every frame at
 * the target for BEHIND_FRAMES frames is not a burst), then starts a new report: the
 * tasks' figures in steady state.
 */
function settle(this: void): void {
  frames(BEHIND_FRAMES);
  scheduler.resetReport();
}

/** Each frame's cost (µs, lead included) over `n` frames, from the heartbeat's window. */
function frameCosts(this: void, n: number): number[] {
  const costs: number[] = [];
  for (let i = 0; i < n; i++) {
    frames(1);
    costs.push(scheduler.takeWindow().maxUs);
  }
  return costs;
}

function costOf(this: void, name: string) {
  const task = scheduler.costReport().tasks.find((t) => t.name === name);
  if (task === undefined) throw `no task ${name} in the report`;
  return task;
}

describe("budget shares", () => {
  it("gives tasks that always have work their shares of the budget", () => {
    scheduler.add(new Hungry(stopwatch), { name: "a", priority: 0, share: 0.25 });
    scheduler.add(new Hungry(stopwatch), { name: "b", priority: 1, share: 0.75 });
    frames(100);
    expect(costOf("a").meanUs).toBeCloseTo(125, 0);
    expect(costOf("b").meanUs).toBeCloseTo(375, 0);
    expect(scheduler.costReport().maxUs).toBeLessThanOrEqual(501);
  });

  it("scales shares down in proportion when they add up to more than 1", () => {
    scheduler.add(new Hungry(stopwatch), { name: "a", priority: 0, share: 1 });
    scheduler.add(new Hungry(stopwatch), { name: "b", priority: 1, share: 0.6 });
    scheduler.add(new Hungry(stopwatch), { name: "c", priority: 2, share: 0.4 });
    settle();
    frames(50);
    expect(costOf("a").meanUs).toBeCloseTo(250, 0);
    expect(costOf("b").meanUs).toBeCloseTo(150, 0);
    expect(costOf("c").meanUs).toBeCloseTo(100, 0);
  });

  it("gives the time other tasks leave unused to unfinished runs, in priority order", () => {
    scheduler.add(new Fixed(stopwatch, 50), { name: "sender", priority: 0, share: 0.5 });
    scheduler.add(new Hungry(stopwatch), { name: "scan", priority: 2, share: 0.1 });
    scheduler.add(new Hungry(stopwatch), { name: "catalog", priority: 3, share: 0.1 });
    settle();
    frames(20);
    // sender 50, scan its 50 plus all that is left (400), catalog only its own 50.
    expect(costOf("sender").meanUs).toBe(50);
    expect(costOf("scan").meanUs).toBeCloseTo(400, 0);
    expect(costOf("catalog").meanUs).toBeCloseTo(50, 0);
  });

  it("gives a task that takes no spare time only its share, even with the budget unused", () => {
    scheduler.add(new Fixed(stopwatch, 50), { name: "sender", priority: 0, share: 0.5 });
    scheduler.add(new Hungry(stopwatch), { name: "rescan", priority: 2, share: 0.1, spare: false });
    frames(20);
    // rescan: its 50 a frame, not the 400 left; the frame ends at 100.
    expect(costOf("rescan").meanUs).toBeCloseTo(50, 0);
    expect(scheduler.costReport().meanUs).toBeCloseTo(100, 0);
    // the spare time goes on to the next unfinished run that takes it
    scheduler.add(new Hungry(stopwatch), { name: "catalog", priority: 3, share: 0.1 });
    settle();
    frames(20);
    expect(costOf("rescan").meanUs).toBeCloseTo(50, 0);
    expect(costOf("catalog").meanUs).toBeCloseTo(400, 0);
  });

  it("makes a task whose step ran long sit out until its share has paid for it", () => {
    // A step of 300 µs against a 100 µs share: once every three frames.
    const coarse = new Hungry(stopwatch, 300);
    scheduler.add(coarse, { name: "coarse", priority: 0, share: 0.2 });
    scheduler.add(new Hungry(stopwatch), { name: "fine", priority: 1, share: 0.8 });
    settle();
    const before = coarse.units;
    frames(300);
    expect(coarse.units - before).toBeGreaterThanOrEqual(99);
    expect(coarse.units - before).toBeLessThanOrEqual(101);
    expect(costOf("coarse").meanUs).toBeCloseTo(100, 0);
    expect(costOf("fine").meanUs).toBeCloseTo(400, 0);
  });

  it("caps what a task can owe, so one very long step costs it ten frames at most", () => {
    const huge = new Hungry(stopwatch, 50_000);
    scheduler.add(huge, { name: "huge", priority: 0, share: 0.2 });
    frames(1);
    expect(huge.units).toBe(1);
    frames(10);
    expect(huge.units).toBe(1);
    frames(1);
    expect(huge.units).toBe(2);
  });

  it("uses the budget given to setBudgetMs, and the default for nonsense", () => {
    scheduler.add(new Hungry(stopwatch), { name: "a", priority: 0, share: 1 });
    scheduler.setBudgetMs(1.5);
    frames(10);
    expect(costOf("a").meanUs).toBeCloseTo(1500, 0);
    scheduler.setBudgetMs(-1);
    expect(scheduler.budgetUs()).toBe(500);
    scheduler.setBudgetMs(0 / 0);
    expect(scheduler.budgetUs()).toBe(500);
  });
});

describe("jobs spread over frames", () => {
  it("reads 10,000 items once each, in order, over many frames, never past the budget", () => {
    const scan = new Scan(stopwatch, 10_000, 2);
    const task = scheduler.add(scan, {
      name: "snapshot",
      priority: Priority.background,
      share: 0.2,
      once: true,
    });
    let count = 0;
    while (task.state() !== "done" && count < 1000) {
      frames(1);
      count += 1;
    }
    // 20 ms of work: BEHIND_FRAMES frames at the target (0.3 ms), then 0.5 ms frames.
    const atTarget = BEHIND_FRAMES * 500 * SPARE_TARGET;
    expect(count).toBe(BEHIND_FRAMES + math.ceil((20_000 - atTarget) / 500));
    expect(scan.processed).toHaveLength(10_000);
    let inOrder = true;
    for (let i = 0; i < 10_000; i++) if (scan.processed[i] !== i + 1) inOrder = false;
    expect(inOrder).toBe(true);
    const report = scheduler.costReport();
    expect(report.maxUs).toBeLessThanOrEqual(500);
    expect(report.overBudget).toBe(0);
    // A finished job leaves the scheduler.
    expect(report.tasks).toHaveLength(0);
  });

  it("keeps a job's share while the sender has more to send than the budget", () => {
    const sender = new Hungry(stopwatch, 1);
    scheduler.add(sender, { name: "sender", priority: Priority.sender, share: 0.4 });
    const scan = new Scan(stopwatch, 10_000, 2);
    scheduler.add(scan, { name: "scan", priority: Priority.background, share: 0.2, once: true });
    settle();
    const [cursor, units] = [scan.cursor, sender.units];
    frames(50);
    // Every frame: the job its 100 µs (50 items); the sender its 200 µs and the rest.
    expect(scan.cursor - cursor).toBe(50 * 50);
    expect(sender.units - units).toBe(50 * 400);
    expect(scheduler.costReport().maxUs).toBeLessThanOrEqual(500);
  });

  it("exceeds the budget by at most what one step does after its last look at the clock", () => {
    scheduler.add(new Scan(stopwatch, 10_000, 7), { name: "scan", priority: 0, share: 1 });
    settle();
    frames(20);
    const report = scheduler.costReport();
    expect(report.maxUs).toBeGreaterThan(500);
    expect(report.maxUs).toBeLessThan(507);
    expect(report.overBudget).toBe(20);
    expect(costOf("scan").overBudget).toBe(20);
  });

  it("starts a periodic run with begin, so its cursor starts over", () => {
    const scan = new Scan(stopwatch, 500, 2);
    scheduler.add(scan, { name: "positions", priority: 2, share: 1, everySeconds: 1 });
    frames(60); // one second: one run of 1 ms spread over two frames
    expect(scan.begins).toBe(1);
    expect(scan.processed).toHaveLength(500);
    frames(60);
    expect(scan.begins).toBe(2);
    expect(scan.processed).toHaveLength(1000);
    expect(costOf("positions").completed).toBe(2);
  });

  it("restart abandons the run in progress; runNow starts the next one early", () => {
    const scan = new Scan(stopwatch, 1000, 2);
    const task = scheduler.add(scan, { name: "scan", priority: 2, share: 1, everySeconds: 10 });
    frames(1);
    expect(scan.cursor).toBe(250);
    task.restart();
    frames(1);
    expect(scan.begins).toBe(2);
    expect(scan.cursor).toBe(250);
    frames(3); // finishes the run
    expect(task.state()).toBe("waiting");
    frames(3);
    expect(scan.begins).toBe(2);
    task.runNow();
    frames(1);
    expect(scan.begins).toBe(3);
  });

  it("pause keeps the run where it is; resume continues it", () => {
    const scan = new Scan(stopwatch, 1000, 2);
    const task = scheduler.add(scan, { name: "scan", priority: 2, share: 1 });
    frames(1);
    task.pause();
    frames(5);
    expect(scan.cursor).toBe(250);
    task.resume();
    frames(1);
    expect(scan.cursor).toBe(500);
    expect(scan.begins).toBe(1);
  });
});

describe("bursts and the frame's lead", () => {
  it("spreads a burst: spare time fills a frame only up to the target", () => {
    // 1 ms of work (500 items of 2 µs) against a 100 µs share: 300 µs frames, not 500.
    const burst = new Scan(stopwatch, 500, 2);
    scheduler.add(burst, { name: "units", priority: 0, share: 0.2, once: true });
    expect(frameCosts(4)).toEqual([300, 300, 300, 100]);
    expect(burst.cursor).toBe(500);
  });

  it("fills the whole budget once work has kept BEHIND_FRAMES frames in a row at the target", () => {
    scheduler.add(new Hungry(stopwatch), { name: "catalog", priority: 0, share: 0.2 });
    const costs = frameCosts(BEHIND_FRAMES + 3);
    for (let i = 0; i < BEHIND_FRAMES; i++) expect(costs[i]).toBe(500 * SPARE_TARGET);
    expect(costs[BEHIND_FRAMES]).toBe(500);
    expect(costs[BEHIND_FRAMES + 2]).toBe(500);
  });

  it("holds a new burst at the target again after a frame that finished its work", () => {
    const work = new Hungry(stopwatch);
    const task = scheduler.add(work, { name: "sender", priority: 0, share: 0.2 });
    frameCosts(BEHIND_FRAMES + 1);
    // Nothing to do for a frame: the next burst starts at the target.
    task.pause();
    frames(1);
    task.resume();
    expect(frameCosts(2)).toEqual([300, 300]);
  });

  it("counts the lead's time in the frame and against the target; the shares start after it", () => {
    const sender = new Hungry(stopwatch);
    scheduler.add(sender, { name: "sender", priority: 0, share: 0.2 });
    const costs: number[] = [];
    for (const leadUs of [100, 250, 700]) {
      scheduler.lead(() => stopwatch.spend(leadUs));
      frames(1);
      costs.push(scheduler.takeWindow().maxUs);
    }
    // 100 + the sender's 100 + spare up to 300; 250 + its 100 (past the target, no
    // spare); 700: a lead over the budget does not take the sender's share.
    expect(costs).toEqual([300, 350, 800]);
    expect(scheduler.costReport().overBudget).toBe(1);
  });

  it("starts runs due by their rate only below the target: periodic runs due together spread", () => {
    const a = new Fixed(stopwatch, 350);
    const b = new Fixed(stopwatch, 350);
    const woken = new Fixed(stopwatch, 50);
    scheduler.add(a, { name: "economy", priority: 20, share: 0.1, everySeconds: 1 });
    scheduler.add(b, { name: "stats", priority: 20, share: 0.1, everySeconds: 1 });
    scheduler.add(woken, { name: "sender", priority: 30, share: 0.1, everySeconds: 10 }).runNow();
    // All three due: the economy's run starts below the target; the statistics' waits
    // for the next frame; the woken sender runs past the target.
    expect(frameCosts(1)).toEqual([400]);
    expect([a.runs, b.runs, woken.runs]).toEqual([1, 0, 1]);
    expect(frameCosts(1)).toEqual([350]);
    expect(b.runs).toBe(1);
  });

  it("does not count what the widget does between the lead and the frame (the socket)", () => {
    scheduler.add(new Hungry(stopwatch), { name: "sender", priority: 0, share: 0.2 });
    scheduler.lead(() => stopwatch.spend(100));
    stopwatch.spend(150);
    frames(1);
    // 100 of lead, the sender's 100 and spare time up to the target: 300, not 450.
    expect(scheduler.takeWindow().maxUs).toBe(300);
  });

  it("starts a run due by its rate in every frame, even after a lead over the target", () => {
    const economy = new Fixed(stopwatch, 10);
    const stats = new Fixed(stopwatch, 10);
    scheduler.add(economy, { name: "economy", priority: 20, share: 0.1, everySeconds: 1 });
    scheduler.add(stats, { name: "stats", priority: 20, share: 0.1, everySeconds: 1 });
    for (let i = 0; i < 600; i++) {
      scheduler.lead(() => stopwatch.spend(320));
      frames(1);
    }
    // 10 s: each at its rate, never both in one frame.
    expect([economy.runs, stats.runs]).toEqual([10, 10]);
  });

  it("lets a task of long steps past the target once it has held it BEHIND_FRAMES frames", () => {
    // 350 µs units against a 100 µs share: a unit, past the target, then frames sitting
    // out the debt; once behind, spare time takes a second unit in the frame.
    scheduler.add(new Hungry(stopwatch, 350), { name: "catalog", priority: 0, share: 0.2 });
    const costs = frameCosts(BEHIND_FRAMES * 5);
    let most = 0;
    for (const us of costs) if (us > most) most = us;
    expect(most).toBe(700);
  });

  /** A task due once a second, its first run done and out of the report's window. */
  function withSecondlyTask(this: void): void {
    scheduler.add(new Fixed(stopwatch, 10), {
      name: "eco",
      priority: 0,
      share: 0.1,
      everySeconds: 1,
    });
    frames(1);
    scheduler.takeWindow();
  }

  it("counts two leads before one frame together", () => {
    withSecondlyTask();
    scheduler.lead(() => stopwatch.spend(400));
    scheduler.lead(() => stopwatch.spend(30));
    frames(1);
    expect(scheduler.takeWindow().maxUs).toBe(430);
  });

  it("counts a lead in a frame in which no task is due", () => {
    withSecondlyTask();
    scheduler.lead(() => stopwatch.spend(40));
    frames(1);
    const window = scheduler.takeWindow();
    expect(window.frames).toBe(1);
    expect(window.maxUs).toBe(40);
    // A frame without a lead reads no clock.
    const reads = stopwatch.reads;
    frames(5);
    expect(stopwatch.reads).toBe(reads);
  });

  it("reports a lead that raises and runs the frame's tasks", () => {
    const eco = new Fixed(stopwatch, 10);
    scheduler.add(eco, { name: "eco", priority: 0, share: 0.1 });
    scheduler.lead(() => {
      throw "inbox broken";
    });
    frames(1);
    expect(errors).toEqual(["lead: inbox broken"]);
    expect(eco.runs).toBe(1);
  });
});

describe("rates", () => {
  it("limits a periodic task by wall-clock time in a replay at 1000 game frames a second", () => {
    const economy = new Fixed(stopwatch, 10);
    scheduler.add(economy, {
      name: "economy",
      priority: Priority.periodic,
      share: 0.2,
      everyFrames: 30,
      everySeconds: 0.25,
    });
    const framesOnly = new Fixed(stopwatch, 1);
    scheduler.add(framesOnly, { name: "frames only", priority: 20, share: 0.1, everyFrames: 30 });
    play(10, 60, 1000);
    // Four a second by the wall clock, not 33 by game frames.
    expect(economy.runs).toBeGreaterThanOrEqual(40);
    expect(economy.runs).toBeLessThanOrEqual(41);
    // The game-frame limit alone would have run it ~333 times.
    expect(framesOnly.runs).toBeGreaterThan(300);
  });

  it("limits the same task by game frames at normal speed", () => {
    const economy = new Fixed(stopwatch, 10);
    scheduler.add(economy, {
      name: "economy",
      priority: 20,
      share: 0.2,
      everyFrames: 30,
      everySeconds: 0.25,
    });
    play(10, 60, 30);
    expect(economy.runs).toBeGreaterThanOrEqual(10);
    expect(economy.runs).toBeLessThanOrEqual(11);
  });

  it("runs no frame-limited task while the game frame stands still (paused)", () => {
    const economy = new Fixed(stopwatch, 10);
    scheduler.add(economy, { name: "economy", priority: 20, share: 0.2, everyFrames: 30 });
    const wall = new Fixed(stopwatch, 10);
    scheduler.add(wall, { name: "wall", priority: 20, share: 0.2, everySeconds: 1 });
    scheduler.setGameFrame(600);
    frames(60 * 5);
    expect(economy.runs).toBe(1);
    expect(wall.runs).toBe(5);
  });

  it("keeps the average rate when frames do not fall on the period", () => {
    const sample = new Fixed(stopwatch, 1);
    scheduler.add(sample, { name: "sample", priority: 20, share: 0.1, everySeconds: 1 });
    frames(7 * 100, 1 / 7); // 100 s at 7 frames a second
    expect(sample.runs).toBeGreaterThanOrEqual(100);
    expect(sample.runs).toBeLessThanOrEqual(101);
  });

  it("polls a task woken every frame a period after its last run, not later", () => {
    const sample = new Fixed(stopwatch, 1);
    const task = scheduler.add(sample, { name: "s", priority: 20, share: 0.1, everySeconds: 0.1 });
    // Woken every frame for a minute (the sender while changes come): a run each frame.
    for (let i = 0; i < 60 * 60; i++) {
      task.runNow();
      frames(1);
    }
    expect(sample.runs).toBe(60 * 60);
    // Nothing wakes it now: polled at its rate, 0.1 s after its last run.
    frames(5);
    expect(sample.runs).toBe(60 * 60);
    frames(2);
    expect(sample.runs).toBe(60 * 60 + 1);
  });

  it("keeps a game-frame rate a period after runs woken early, not later", () => {
    const sample = new Fixed(stopwatch, 1);
    const task = scheduler.add(sample, { name: "s", priority: 20, share: 0.1, everyFrames: 30 });
    let game = 0;
    for (let i = 0; i < 100; i++) {
      task.runNow();
      game += 1;
      scheduler.setGameFrame(game);
      frames(1);
    }
    expect(sample.runs).toBe(100);
    // The next run 30 game frames after the last, as if it had not been woken.
    for (let i = 0; i < 29; i++) {
      game += 1;
      scheduler.setGameFrame(game);
      frames(1);
    }
    expect(sample.runs).toBe(100);
    scheduler.setGameFrame(game + 1);
    frames(1);
    expect(sample.runs).toBe(101);
  });

  it("setRate changes the period", () => {
    const sample = new Fixed(stopwatch, 1);
    const task = scheduler.add(sample, { name: "s", priority: 20, share: 0.1, everySeconds: 1 });
    // 1/64 s apart: exact in binary, so no frame lands a hair before a due time.
    frames(64 * 4, 1 / 64);
    expect(sample.runs).toBe(4);
    task.setRate(0.5, undefined);
    frames(64 * 4, 1 / 64);
    expect(sample.runs).toBe(12);
  });
});

describe("frames in which no task can run", () => {
  it("are skipped without reading the stopwatch until a task is due", () => {
    const sample = new Fixed(stopwatch, 10);
    scheduler.add(sample, { name: "sample", priority: 20, share: 0.1, everySeconds: 1 });
    frames(1);
    const reads = stopwatch.reads;
    frames(58); // up to 59/60 s
    expect(sample.runs).toBe(1);
    expect(stopwatch.reads).toBe(reads);
    frames(10);
    expect(sample.runs).toBe(2);
    expect(stopwatch.reads).toBeGreaterThan(reads);
  });

  it("are left in runFrame, without a clock reading, when the caller passes its own", () => {
    const sample = new Fixed(stopwatch, 10);
    scheduler.add(sample, { name: "sample", priority: 20, share: 0.1, everySeconds: 1 });
    let t = clock.now();
    const framesWithReading = (n: number): void => {
      for (let i = 0; i < n; i++) {
        scheduler.runFrame(t);
        clock.advance(1 / 64);
        t += 1 / 64;
      }
    };
    framesWithReading(1);
    expect(sample.runs).toBe(1);
    const reads = clock.reads;
    const swatch = stopwatch.reads;
    framesWithReading(62); // up to 63/64 s
    expect(sample.runs).toBe(1);
    expect(clock.reads).toBe(reads);
    expect(stopwatch.reads).toBe(swatch);
    framesWithReading(2);
    expect(sample.runs).toBe(2);
    // Every frame counts, skipped or not.
    expect(scheduler.costReport().frames).toBe(65);
  });

  it("end when a task is woken: runNow, resume, setRate, or a new task", () => {
    const sample = new Fixed(stopwatch, 10);
    const task = scheduler.add(sample, { name: "s", priority: 20, share: 0.1, everySeconds: 10 });
    frames(2);
    expect(sample.runs).toBe(1);
    task.runNow();
    frames(1);
    expect(sample.runs).toBe(2);
    // Paused past its due time (10 s after the run runNow started),
    // nothing can run: every frame is skipped until it is resumed.
    task.pause();
    frames(60 * 20);
    expect(sample.runs).toBe(2);
    task.resume();
    frames(1);
    expect(sample.runs).toBe(3);
    // Due 10 s after that run; a shorter period makes it due now.
    frames(60);
    task.setRate(0.5, undefined);
    frames(1);
    expect(sample.runs).toBe(4);
    const added = new Fixed(stopwatch, 1);
    scheduler.add(added, { name: "added", priority: 20, share: 0.1, everySeconds: 10 });
    frames(1);
    expect(added.runs).toBe(1);
  });

  it("are skipped while a task with both rates waits for its time, its frame passed", () => {
    // A replay at 1000 game frames a second: the economy's 30 frames pass long before
    // its 0.25 s. One bound holding it back is enough to skip.
    const economy = new Fixed(stopwatch, 10);
    scheduler.add(economy, {
      name: "economy",
      priority: 20,
      share: 0.2,
      everySeconds: 0.25,
      everyFrames: 30,
    });
    const wall = new Fixed(stopwatch, 10);
    scheduler.add(wall, { name: "wall", priority: 20, share: 0.2, everySeconds: 1 });
    play(10, 60, 1000);
    expect(economy.runs).toBeGreaterThanOrEqual(40);
    expect(wall.runs).toBeGreaterThanOrEqual(10);
    // A frame looks at the tasks only when one of them is due.
    const [looked] = scheduler.looks();
    expect(looked).toBeLessThanOrEqual(economy.runs + wall.runs);
  });

  it("are skipped while a task with both rates waits for its frame, its time passed", () => {
    // The game paused: the economy's game frame never comes; the wall-clock task's does.
    const economy = new Fixed(stopwatch, 10);
    scheduler.add(economy, {
      name: "economy",
      priority: 20,
      share: 0.2,
      everySeconds: 0.25,
      everyFrames: 30,
    });
    const wall = new Fixed(stopwatch, 10);
    scheduler.add(wall, { name: "wall", priority: 20, share: 0.2, everySeconds: 1 });
    scheduler.setGameFrame(600);
    frames(60 * 5);
    expect(economy.runs).toBe(1);
    expect(wall.runs).toBe(5);
    const [looked] = scheduler.looks();
    expect(looked).toBeLessThanOrEqual(wall.runs);
  });

  for (const withReading of [false, true]) {
    it(`never hold back a task that is due: each runs when looking every frame would run it${withReading ? " (the caller's clock reading passed)" : ""}`, () => {
      const rates: { seconds?: number; gameFrames?: number }[] = [
        { seconds: 0.25, gameFrames: 30 },
        { seconds: 0.1 },
        { gameFrames: 45 },
        { seconds: 1, gameFrames: 15 },
        { seconds: 0.7, gameFrames: 100 },
      ];
      const works: Fixed[] = [];
      const models: RateModel[] = [];
      for (const { seconds, gameFrames } of rates) {
        const work = new Fixed(stopwatch, 1);
        scheduler.add(work, {
          name: `every ${seconds} s, ${gameFrames} frames`,
          priority: 20,
          share: 0.1,
          everySeconds: seconds,
          everyFrames: gameFrames,
        });
        works.push(work);
        models.push(new RateModel(seconds, gameFrames));
      }
      // Normal speed, paused, a fast replay, normal again; draw frames of uneven length.
      const phases: [number, number][] = [
        [300, 30],
        [200, 0],
        [200, 600],
        [300, 30],
      ];
      let game = 0;
      let drawn = 0;
      let mismatches = 0;
      for (const [count, gameFps] of phases) {
        for (let i = 0; i < count; i++) {
          const dt = drawn % 3 === 0 ? 1 / 40 : 1 / 70;
          drawn += 1;
          game += gameFps * dt;
          const gameFrame = math.floor(game);
          scheduler.setGameFrame(gameFrame);
          const now = clock.now();
          if (withReading) scheduler.runFrame(now);
          else scheduler.runFrame();
          for (let k = 0; k < works.length; k++) {
            models[k].frame(now, gameFrame);
            if (works[k].runs !== models[k].runs) mismatches += 1;
          }
          clock.advance(dt);
        }
      }
      expect(mismatches).toBe(0);
      for (const model of models) expect(model.runs).toBeGreaterThan(5);
      // ... and the test is not void: most frames were skipped.
      const [looked] = scheduler.looks();
      expect(looked).toBeLessThan(drawn / 2);
    });
  }

  it("count in the reports as frames that cost nothing", () => {
    scheduler.add(new Fixed(stopwatch, 60), {
      name: "sample",
      priority: 20,
      share: 0.2,
      everySeconds: 1,
    });
    frames(120); // two runs in two seconds
    const report = scheduler.costReport();
    expect(report.frames).toBe(120);
    expect(report.meanUs).toBeCloseTo(1, 5);
    const [loadFrames, loadMean] = scheduler.takeLoad();
    expect(loadFrames).toBe(120);
    expect(loadMean).toBeCloseTo(1, 5);
  });

  for (const withReading of [false, true]) {
    it(`credit a task that ran long as visited frames would: it repays its debt on time${withReading ? " (the caller's clock reading passed)" : ""}`, () => {
      // Quantum 50 us; each run costs 300 (owes 250, five frames' worth). Visited every
      // frame it runs every sixth frame: it is due every third, then sits out its debt.
      const sample = new Fixed(stopwatch, 300);
      scheduler.add(sample, { name: "long", priority: 20, share: 0.1, everySeconds: 0.05 });
      // 56 fps: due 2.8 frames after a run, so at the third (never a hair early).
      for (let i = 0; i < 336; i++) {
        if (withReading) scheduler.runFrame(clock.now());
        else scheduler.runFrame();
        clock.advance(1 / 56);
      }
      expect(sample.runs).toBeGreaterThanOrEqual(55);
      expect(sample.runs).toBeLessThanOrEqual(57);
    });
  }

  it("keep their credit when a report is read between them (the frame-rate guard's look)", () => {
    const sample = new Fixed(stopwatch, 300);
    scheduler.add(sample, { name: "long", priority: 20, share: 0.1, everySeconds: 0.05 });
    for (let i = 0; i < 336; i++) {
      scheduler.runFrame();
      scheduler.takeLoad();
      clock.advance(1 / 56);
    }
    expect(sample.runs).toBeGreaterThanOrEqual(55);
    expect(sample.runs).toBeLessThanOrEqual(57);
  });
});

describe("errors", () => {
  it("stops a task whose step raises, reports it once, and keeps the others running", () => {
    let calls = 0;
    const broken: Work = {
      step(): boolean {
        calls += 1;
        error("index out of range", 0);
      },
    };
    const task = scheduler.add(broken, { name: "broken", priority: 0, share: 0.5 });
    const fine = new Fixed(stopwatch, 10);
    scheduler.add(fine, { name: "fine", priority: 1, share: 0.5 });
    frames(10);
    expect(calls).toBe(1);
    expect(task.state()).toBe("failed");
    expect(errors).toEqual(["broken: index out of range"]);
    expect(fine.runs).toBe(10);
    expect(costOf("broken").error).toBe("index out of range");
    expect(costOf("broken").state).toBe("failed");
  });

  it("stops a task whose begin raises, without calling its step", () => {
    let steps = 0;
    const broken: Work = {
      begin(): void {
        error("no catalog", 0);
      },
      step(): boolean {
        steps += 1;
        return true;
      },
    };
    scheduler.add(broken, { name: "catalog", priority: 0, share: 0.5 });
    frames(3);
    expect(steps).toBe(0);
    expect(errors).toEqual(["catalog: no catalog"]);
  });

  it("gives a failed task's share to the others", () => {
    const broken: Work = {
      step(): boolean {
        error("boom", 0);
      },
    };
    scheduler.add(broken, { name: "broken", priority: 0, share: 1 });
    scheduler.add(new Hungry(stopwatch), { name: "b", priority: 1, share: 1 });
    frames(1);
    scheduler.resetReport();
    frames(10);
    expect(costOf("b").meanUs).toBeCloseTo(500, 0);
  });

  it("survives an error handler that raises", () => {
    const s = new Scheduler({
      stopwatch,
      clock,
      onTaskError: () => error("handler broken"),
    });
    const broken: Work = {
      step(): boolean {
        error("boom", 0);
      },
    };
    const task = s.add(broken, { name: "broken", priority: 0, share: 1 });
    expect(() => s.runFrame()).not.toThrow();
    expect(task.state()).toBe("failed");
  });

  it("reports its own failure (a broken stopwatch) once, and never raises", () => {
    const broken = {
      resolutionUs: 1,
      restart(): void {
        error("no timer", 0);
      },
      elapsedUs(): number {
        return 0;
      },
    };
    const s = new Scheduler({
      stopwatch: broken,
      clock,
      onTaskError: (task, message) => {
        errors.push(`${task}: ${message}`);
      },
    });
    s.add(new Fixed(stopwatch, 1), { name: "a", priority: 0, share: 1 });
    for (let i = 0; i < 5; i++) expect(() => s.runFrame()).not.toThrow();
    expect(errors).toEqual(["scheduler: no timer"]);
  });
});

describe("cost report", () => {
  it("gives mean and max per task, the frame mean and the frames over budget", () => {
    scheduler.add(new Fixed(stopwatch, 100), { name: "sender", priority: 0, share: 0.5 });
    let frame = 0;
    const bursty: Work = {
      step(): boolean {
        frame += 1;
        stopwatch.spend(frame % 5 === 0 ? 450 : 50);
        return true;
      },
    };
    scheduler.add(bursty, { name: "events", priority: 10, share: 0.5 });
    frames(10);
    const report = scheduler.costReport();
    expect(report.frames).toBe(10);
    expect(report.budgetUs).toBe(500);
    // events: 8 frames of 50 and 2 of 450 = 1300 µs in 10 frames
    expect(costOf("events").meanUs).toBeCloseTo(130, 6);
    expect(costOf("events").maxUs).toBe(450);
    expect(costOf("events").frames).toBe(10);
    expect(costOf("sender").meanUs).toBeCloseTo(100, 6);
    expect(report.meanUs).toBeCloseTo(230, 6);
    expect(report.maxUs).toBe(550);
    expect(report.overBudget).toBe(2);
    // The frames over budget are put down to the task that went past it.
    expect(costOf("events").overBudget).toBe(2);
    expect(costOf("sender").overBudget).toBe(0);
  });

  it("counts a task's frames and finished runs, and starts over after resetReport", () => {
    const sample = new Fixed(stopwatch, 20);
    scheduler.add(sample, { name: "sample", priority: 20, share: 0.1, everySeconds: 0.5 });
    frames(60);
    expect(costOf("sample").frames).toBe(2);
    expect(costOf("sample").completed).toBe(2);
    // Averaged over all frames, so that the tasks' means add up to the frame's.
    expect(costOf("sample").meanUs).toBeCloseTo(40 / 60, 6);
    scheduler.resetReport();
    const report = scheduler.costReport();
    expect(report.frames).toBe(0);
    expect(report.maxUs).toBe(0);
    expect(costOf("sample").frames).toBe(0);
    expect(costOf("sample").completed).toBe(0);
  });

  it("gives the frames since the last window apart, without touching the report", () => {
    let frame = 0;
    const bursty: Work = {
      step(): boolean {
        frame += 1;
        stopwatch.spend(frame === 3 ? 400 : 100);
        return true;
      },
    };
    scheduler.add(bursty, { name: "events", priority: 10, share: 1 });
    frames(4);
    expect(scheduler.takeWindow()).toEqual({ frames: 4, meanUs: 175, maxUs: 400 });
    frames(2);
    expect(scheduler.takeWindow()).toEqual({ frames: 2, meanUs: 100, maxUs: 100 });
    expect(scheduler.takeWindow()).toEqual({ frames: 0, meanUs: 0, maxUs: 0 });
    expect(scheduler.costReport().frames).toBe(6);
    expect(scheduler.costReport().maxUs).toBe(400);
  });

  it("lists tasks in running order: priority, then the order added", () => {
    scheduler.add(new Fixed(stopwatch, 1), { name: "catalog", priority: 30, share: 0.1 });
    scheduler.add(new Fixed(stopwatch, 1), { name: "economy", priority: 20, share: 0.1 });
    scheduler.add(new Fixed(stopwatch, 1), { name: "sender", priority: 0, share: 0.1 });
    scheduler.add(new Fixed(stopwatch, 1), { name: "stats", priority: 20, share: 0.1 });
    const names = scheduler.costReport().tasks.map((t) => t.name);
    expect(names).toEqual(["sender", "economy", "stats", "catalog"]);
  });
});

describe("steady state", () => {
  it("costs no stopwatch reading without tasks", () => {
    frames(10);
    expect(stopwatch.reads).toBe(0);
  });

  it("looks only at the tasks that may be due", () => {
    const every = new Fixed(stopwatch, 5);
    scheduler.add(every, { name: "every frame", priority: 0, share: 0.1 });
    for (let i = 0; i < 9; i++) {
      scheduler.add(new Fixed(stopwatch, 5), {
        name: `slow ${i}`,
        priority: 20,
        share: 0.05,
        everySeconds: 10,
      });
    }
    frames(100);
    expect(every.runs).toBe(100);
    // All ten in the first frame; then the one due every frame.
    const [looked, tasksLooked] = scheduler.looks();
    expect(looked).toBe(100);
    expect(tasksLooked).toBe(10 + 99);
  });

  it("reads the stopwatch once after each step, and not at all when no step runs", () => {
    scheduler.add(new Fixed(stopwatch, 5), { name: "a", priority: 0, share: 0.1 });
    scheduler.add(new Fixed(stopwatch, 5), { name: "b", priority: 1, share: 0.1 });
    frames(10);
    expect(stopwatch.reads).toBe(20);
    expect(stopwatch.restarts).toBe(10);
    // A task sitting out its debt: looked at, not run, no reading.
    const s = new Scheduler({ stopwatch, clock });
    s.add(new Hungry(stopwatch, 5_000), { name: "long", priority: 0, share: 0.1 });
    s.runFrame();
    const [reads, restarts] = [stopwatch.reads, stopwatch.restarts];
    for (let i = 0; i < 5; i++) s.runFrame();
    const [looked] = s.looks();
    expect(looked).toBe(6);
    expect(stopwatch.reads).toBe(reads);
    expect(stopwatch.restarts).toBe(restarts);
    expect(s.costReport().frames).toBe(6);
    expect(s.costReport().meanUs).toBeCloseTo(5_000 / 6, 6);
  });

  it("credits a task while it is paused: one that owed time has repaid it when resumed", () => {
    const huge = new Hungry(stopwatch, 50_000);
    const task = scheduler.add(huge, { name: "huge", priority: 0, share: 0.2 });
    frames(1);
    task.pause();
    frames(10);
    task.resume();
    frames(1);
    expect(huge.units).toBe(2);
  });

  it("runs a task woken by an earlier task's step in the same frame", () => {
    const later = new Fixed(stopwatch, 1);
    const laterTask = scheduler.add(later, {
      name: "later",
      priority: 10,
      share: 0.1,
      everySeconds: 100,
    });
    let wake = false;
    const waker: Work = {
      step(): boolean {
        if (wake) laterTask.runNow();
        return true;
      },
    };
    scheduler.add(waker, { name: "waker", priority: 0, share: 0.1 });
    frames(5);
    expect(later.runs).toBe(1);
    wake = true;
    frames(1);
    expect(later.runs).toBe(2);
  });

  it("keeps crediting shares over many frames (its frame count wraps)", () => {
    // 300 µs steps against a 100 µs share, no spare time: a step every third frame.
    const coarse = new Hungry(stopwatch, 300);
    scheduler.add(coarse, { name: "coarse", priority: 0, share: 0.2, spare: false });
    frames(10_000);
    expect(coarse.units).toBeGreaterThanOrEqual(3_333);
    expect(coarse.units).toBeLessThanOrEqual(3_334);
  });

  it("allocates nothing per frame", () => {
    const slices: Slice[] = [];
    const sender: Work = {
      step(slice: Slice): boolean {
        if (slices.length < 2) slices.push(slice);
        stopwatch.spend(20);
        return true;
      },
    };
    scheduler.add(sender, { name: "sender", priority: 0, share: 0.4 });
    scheduler.add(new Hungry(stopwatch, 5), { name: "scan", priority: 30, share: 0.2 });
    scheduler.add(new Fixed(stopwatch, 5), {
      name: "eco",
      priority: 20,
      share: 0.1,
      everySeconds: 1,
    });
    frames(100); // warm up: tables reach their size
    expect(slices[0]).toBe(slices[1]);
    // fengari leaves memory to JavaScript and has no collectgarbage: Lua 5.1 checks it.
    const [measurable] = pcall(collectgarbage, "count");
    if (!measurable) return;
    // What a run of frames allocates includes what measuring it costs, a constant few
    // hundred bytes whatever the frames (the calls around them): two lengths of run, and
    // only what the longer one adds counts.
    const grownOver = (n: number): number => {
      collectgarbage("collect");
      collectgarbage("stop");
      const before = collectgarbage("count");
      frames(n);
      const grown = collectgarbage("count") - before;
      collectgarbage("restart");
      return grown;
    };
    const short = grownOver(1000);
    const long = grownOver(5000);
    expect(long - short).toBeLessThan(0.25); // KiB over 4000 more frames
  });
});

describe("tasks added while a frame runs", () => {
  it("join at the end of the frame and run from the next", () => {
    const later = new Fixed(stopwatch, 1);
    let added = false;
    let adderSteps = 0;
    const adder: Work = {
      step(): boolean {
        adderSteps += 1;
        if (!added) {
          added = true;
          scheduler.add(later, { name: "later", priority: -1, share: 0.1 });
        }
        return true;
      },
    };
    const first = new Fixed(stopwatch, 1);
    const last = new Fixed(stopwatch, 1);
    scheduler.add(first, { name: "first", priority: 0, share: 0.1 });
    scheduler.add(adder, { name: "adder", priority: 1, share: 0.1 });
    scheduler.add(last, { name: "last", priority: 2, share: 0.1 });
    frames(1);
    // Inserted at once, "later" would shift the list under the frame's loop: the
    // adder would run twice and the last task not at all.
    expect(adderSteps).toBe(1);
    expect(last.runs).toBe(1);
    expect(later.runs).toBe(0);
    frames(1);
    expect(later.runs).toBe(1);
    expect(adderSteps).toBe(2);
    expect(scheduler.costReport().tasks.map((t) => t.name)).toEqual([
      "later",
      "first",
      "adder",
      "last",
    ]);
  });
});
