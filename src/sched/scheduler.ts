/**
 * The frame-budget scheduler: every frame (Update) it gives its tasks (the sender,
 * event recording, periodic collectors, background jobs) a share of a per-frame time
 * budget, and spreads larger jobs over several frames.
 *
 * Each frame:
 * 1. In priority order, each task that is in a run, or waiting and due, gets the time
 *    its share has earned (deficit round robin: a share's worth per frame, never more
 *    than one frame's worth saved up; time used past it is owed and repaid by sitting
 *    out later frames, at most 10 frames' worth), unless the budget is spent.
 * 2. What the budget has left goes to unfinished runs, in priority order (not to a
 *    task sitting out a debt, nor to one that takes no spare time), but only up to the
 *    frame's target (SPARE_TARGET of the budget): a burst (a game second's `units`
 *    message, a sample) is spread over the next frames instead of making one long
 *    frame. When spare time has stopped at the target for BEHIND_FRAMES frames in a
 *    row, the work is not a burst but more than the target holds: spare time then
 *    fills the whole budget again until a frame finishes what wanted it.
 * A step cannot be interrupted, so a frame can exceed the budget by what one step
 * does after its last look at the clock; the report counts such frames.
 *
 * A run due by its rate (not woken, not in progress) starts only while the frame is
 * below the limit of spare time (the target, or the budget when behind), so periodic
 * runs that fall due together spread over frames.
 *
 * The frame's lead (`lead`: the unit call-ins stored since the last frame, handed to
 * the collector) runs before the tasks and cannot be put off; its time counts in the
 * frame's cost and against its target, so spare time shrinks after a heavy lead. What
 * the widget does between the lead and `runFrame` (the connection's socket calls) does
 * not: the scheduler cannot put it off either, and on a loopback socket it can take
 * 0.15 ms a frame, which would leave the sender no spare time with a receiver. The tasks' shares are counted
 * from the lead's end: a lead that takes the whole budget does not starve them.
 *
 * Touching a task's table costs a cache miss after the game's simulation has emptied
 * the CPU's caches (docs/performance.md), so a frame touches only the tasks that may be
 * due: the scheduler keeps each task's bounds (the wall time and game frame before
 * which it cannot be due) in two arrays, looks at a task only when both have passed,
 * and credits a task's share when it looks at it, for every frame since it last did.
 * A frame in which no task can run (none in a run, none forced, every waiting one
 * before its next due time or game frame, see findIdle) is skipped after one
 * comparison. A task woken by its handle (runNow, restart, resume, setRate) or added
 * is looked at in the next frame (in the current one when it comes later in it).
 * Skipped frames count in the reports as frames that cost their lead (nothing without
 * one), and so do frames in which no step ran; a frame's time is its lead's plus the
 * time from its first step's start to its last step's end (the timer is read once
 * after each step, and at a lead's end). The lead is in the frame's cost but in no
 * task's, so the tasks' means add up to the frame's less the leads.
 *
 * Never throws: an error in a task stops that task (reported through `onTaskError`),
 * and an error in the scheduler itself is reported the same way (task "scheduler").
 * In steady state a frame allocates nothing.
 */
import type { Clock } from "../core/clock";
import type { Stopwatch } from "../core/stopwatch";
import { CostMeter, CostReport, TaskCost } from "./cost";
import { Task, TaskOptions } from "./task";
import type { Slice, Work } from "./work";

/** The default per-frame budget, in milliseconds. */
export const DEFAULT_FRAME_BUDGET_MS = 0.5;

/** Game frames per second at normal speed (the engine's simulation rate). */
const GAME_FPS = 30;

/**
 * Frames counted before the count starts again from 0: with single-precision numbers
 * a count stays exact only up to 2^24 (see Task.creditTo).
 */
const FRAME_COUNT_WRAP = 4096;

/** µs of frames gathered before they join the three meters (a float sum stays precise to well under 0.01 µs). */
const METER_EVERY_US = 100_000;

/**
 * The part of the budget spare time fills a frame up to, lead included (see the top):
 * with the default 0.5 ms budget, 0.3 ms, so that a burst's frames stay well inside
 * the budget (issue #9's goal: p99 under 0.5 ms).
 */
export const SPARE_TARGET = 0.6;

/**
 * Frames in a row in which spare time stopped at the target before spare time fills the
 * budget: half a second at 60 fps. A battle's `units` message (about 1.2 ms of work a
 * game second in the scale game) takes 10 or more frames at the target beside the
 * events; 8 frames let it escalate every second (docs/performance.md).
 */
export const BEHIND_FRAMES = 30;

export interface SchedulerOptions {
  /** Measures the frame's slices; the engine's one is precise however long the game runs. */
  stopwatch: Stopwatch;
  /** Wall-clock seconds, for the tasks' rates (`everySeconds`). */
  clock: Clock;
  /** Per-frame budget in milliseconds (default {@link DEFAULT_FRAME_BUDGET_MS}). */
  budgetMs?: number;
  /** Told once when a task fails and is stopped (called under pcall). */
  onTaskError?: (this: void, task: string, message: string) => void;
}

/** The slice handed to steps: one object, its deadline moved for each step. */
class FrameSlice implements Slice {
  now = 0;
  gameFrame = 0;
  /** µs since the frame's start at which the current step should return. */
  deadlineUs = 0;
  /** µs of the frame before the stopwatch's start (the lead's, see Scheduler.lead). */
  baseUs = 0;

  constructor(private readonly stopwatch: Stopwatch) {}

  remainingUs(): number {
    return this.deadlineUs - this.baseUs - this.stopwatch.elapsedUs();
  }

  expired(): boolean {
    return this.baseUs + this.stopwatch.elapsedUs() >= this.deadlineUs;
  }
}

// Module-level functions for pcall, so that no closure is made per call.
/** A step, after `begin` when a run starts: one pcall for both. */
function callRun(this: void, work: Work, slice: Slice, begin: boolean): boolean {
  if (begin && work.begin !== undefined) work.begin(slice);
  return work.step(slice) === true;
}

function guardedFrame(this: void, scheduler: Scheduler): void {
  scheduler.unguardedFrame();
}

function callLead(this: void, lead: (this: void) => void): void {
  lead();
}

function reportError(
  this: void,
  handler: (this: void, task: string, message: string) => void,
  task: string,
  message: string,
): void {
  handler(task, message);
}

export class Scheduler {
  private readonly stopwatch: Stopwatch;
  private readonly clock: Clock;
  private readonly onTaskError: ((this: void, task: string, message: string) => void) | undefined;
  private readonly slice: FrameSlice;
  /** Tasks in running order (priority, then order added); a task's index is its `slot`. */
  private readonly tasks: Task[] = [];
  /**
   * By slot: the task cannot be due while the clock is before holdTime or the game frame
   * before holdFrame (Task.holds). -math.huge in both: look at it (it was woken, or may
   * be due); math.huge: it cannot run (paused, failed, done).
   */
  private readonly holdTime: number[] = [];
  private readonly holdFrame: number[] = [];
  /** The slots looked at in the current frame, in running order (reused every frame). */
  private readonly looked: number[] = [];
  /** Tasks added during a frame, merged at its end so the frame's loop is not disturbed. */
  private readonly pending: Task[] = [];
  private readonly taskChanged: (this: void, task: Task) => void;
  private readonly taskWoken: (this: void, task: Task) => void;
  private budget: number;
  private gameFrame = 0;
  private added = 0;
  private inFrame = false;
  /** A task was removed or failed: compact the list and recompute the shares. */
  private changed = false;
  /** Frames run, skipped ones included, modulo FRAME_COUNT_WRAP: the tasks' credit counts from it. */
  private frameCount = 0;
  /** The stopwatch was restarted in this frame (before its first step). */
  private timing = false;
  /** µs since the frame's first step started, at the last stopwatch reading. */
  private lastReadUs = 0;
  private frameOver = false;
  private readonly frameCost = new CostMeter();
  /** The frames since the last `takeWindow` (the heartbeat's figures). */
  private readonly windowCost = new CostMeter();
  /** The frames since the last `takeLoad` (the frame-rate guard's figures). */
  private readonly loadCost = new CostMeter();
  /** Frames not yet in the three meters, their µs and their max (one sum per frame, not three). */
  private unmeteredFrames = 0;
  private unmeteredUs = 0;
  private unmeteredMaxUs = 0;
  private overBudget = 0;
  private lastInternalError: string | undefined;
  /** The lead ran since the last frame, and its µs. */
  private leadRan = false;
  private leadUs = 0;
  private lastLeadError: string | undefined;
  /** A run due by its rate started in this frame (see lookAt). */
  private startedByRate = false;
  /** µs from the frame's start (the lead's, else its first step's) at which spare time stops. */
  private spareUntilUs = 0;
  /** Frames in a row whose spare time stopped at the target with a run still wanting it. */
  private cappedFrames = 0;
  /** µs from the frame's start at which the tasks' shares end: the budget after the lead. */
  private stepsEndUs = 0;
  /**
   * No task can be due before this wall time (the clock's seconds) while the game
   * frame is also before `idleUntilFrame`: such frames are skipped. -math.huge: look.
   */
  private idleUntilTime = -math.huge;
  private idleUntilFrame = -math.huge;
  /** Game frames per wall second (see gamePace), and where its measurement started. */
  private gameFps = GAME_FPS;
  private paceTime: number | undefined = undefined;
  private paceFrame = 0;
  /** Frames that looked at the tasks (not skipped), and tasks looked at in them. */
  private framesLooked = 0;
  private tasksLooked = 0;

  constructor(options: SchedulerOptions) {
    this.stopwatch = options.stopwatch;
    this.clock = options.clock;
    this.onTaskError = options.onTaskError;
    this.slice = new FrameSlice(options.stopwatch);
    this.budget = validBudgetUs(options.budgetMs);
    this.taskChanged = () => {
      this.changed = true;
    };
    this.taskWoken = (task) => this.wake(task);
  }

  /**
   * Registers `work` as a task. Returns its handle. During a frame, the task joins at
   * the end of that frame.
   */
  add(work: Work, options: TaskOptions): Task {
    this.added += 1;
    const task = new Task(work, options, this.added, this.taskChanged, this.taskWoken);
    // Credited from the next frame on.
    task.creditedThrough = this.frameCount;
    this.idleUntilTime = -math.huge;
    if (this.inFrame) {
      this.pending.push(task);
    } else {
      this.insert(task);
      this.reindex();
      this.updateShares();
    }
    return task;
  }

  /** The per-frame budget in milliseconds; a value that is not a positive number means the default. */
  setBudgetMs(ms: number): void {
    this.budget = validBudgetUs(ms);
    this.updateShares();
  }

  /** The per-frame budget in microseconds. */
  budgetUs(): number {
    return this.budget;
  }

  /** `task` may be due earlier than worked out: the frames look at it again. */
  private wake(task: Task): void {
    this.idleUntilTime = -math.huge;
    const slot = task.slot;
    if (slot >= 0) {
      this.holdTime[slot] = -math.huge;
      this.holdFrame[slot] = -math.huge;
    }
  }

  /** The current game frame, for the tasks' `everyFrames` rates (call it from GameFrame). */
  setGameFrame(frame: number): void {
    this.gameFrame = frame;
  }

  /**
   * Runs the frame's lead now (call it in Update before `runFrame`): work that cannot
   * wait for a task's turn, timed and counted as the start of the next frame (see the
   * top). Only when there is something to do: a frame without a lead reads no clock
   * for it. An error in `lead` is reported (task "lead").
   */
  lead(lead: (this: void) => void): void {
    this.stopwatch.restart();
    const [ok, err] = pcall(callLead, lead);
    // Two leads before a frame (or one whose frame did not run) count together.
    this.leadUs = (this.leadRan ? this.leadUs : 0) + this.stopwatch.elapsedUs();
    this.leadRan = true;
    if (!ok) {
      // The same failure every frame is reported once.
      const message = tostring(err);
      if (message !== this.lastLeadError) {
        this.lastLeadError = message;
        this.report("lead", message);
      }
    }
  }

  /**
   * Runs one frame's work (call it from Update). Never throws; costs nothing without tasks.
   * `now`, the caller's clock reading for this frame (seconds), lets a frame without a
   * lead in which no task can be due be counted and left here, without the pcall, the
   * clock reading and the calls of a frame looked at (unguardedFrame skips such a frame
   * the same way when `now` is not given).
   */
  runFrame(now?: number): void {
    if (this.tasks.length === 0) {
      this.leadRan = false;
      return;
    }
    if (
      now !== undefined &&
      !this.leadRan &&
      now < this.idleUntilTime &&
      this.gameFrame < this.idleUntilFrame &&
      this.frameCount + 1 < FRAME_COUNT_WRAP
    ) {
      this.frameCount += 1;
      this.unmeteredFrames += 1;
      this.cappedFrames = 0;
      return;
    }
    const [ok, err] = pcall(guardedFrame, this);
    if (!ok) {
      this.inFrame = false;
      const message = tostring(err);
      // The same failure every frame is reported once.
      if (message !== this.lastInternalError) {
        this.lastInternalError = message;
        this.report("scheduler", message);
      }
    }
  }

  /** runFrame's body, called under its pcall. Not for other callers. */
  unguardedFrame(): void {
    const frame = this.gameFrame;
    const now = this.clock.now();
    let count = this.frameCount + 1;
    if (count >= FRAME_COUNT_WRAP) count = this.wrapFrameCount(count);
    this.frameCount = count;
    this.unmeteredFrames += 1;
    const led = this.leadRan;
    this.leadRan = false;
    // The lead's time is the frame's first.
    const leadUs = led ? this.leadUs : 0;
    if (now < this.idleUntilTime && frame < this.idleUntilFrame) {
      this.cappedFrames = 0;
      if (led) this.meterFrame(leadUs);
      return;
    }
    this.framesLooked += 1;
    this.inFrame = true;
    this.frameOver = false;
    // After a lead, the frame's steps are timed from here on top of it: what the widget
    // did in between (the connection's socket calls) is not the scheduler's to put off.
    this.timing = led;
    this.startedByRate = false;
    if (led) this.stopwatch.restart();
    this.slice.baseUs = leadUs;
    this.lastReadUs = leadUs;
    const budget = this.budget;
    this.spareUntilUs =
      this.cappedFrames >= BEHIND_FRAMES ? leadUs + budget : budget * SPARE_TARGET;
    const slice = this.slice;
    slice.now = now;
    slice.gameFrame = frame;
    this.stepsEndUs = leadUs + budget;
    const looked = this.runDue(now, frame, count);
    this.runSpare(looked);
    this.endFrame(now, frame, looked);
  }

  /**
   * 1. Each task that may be due, within what its share has earned, until `stepsEndUs`
   * (the budget counted from the lead's end). Returns how many tasks it looked at (their
   * slots in `looked`).
   */
  private runDue(now: number, frame: number, count: number): number {
    const tasks = this.tasks;
    const n = tasks.length;
    const holdTime = this.holdTime;
    const holdFrame = this.holdFrame;
    const looked = this.looked;
    let m = 0;
    for (let i = 0; i < n; i++) {
      // Read as the loop goes: a step may wake a task later in the order.
      if (now >= holdTime[i] && frame >= holdFrame[i]) {
        looked[m] = i;
        m += 1;
        this.lookAt(tasks[i], now, frame, count);
      }
    }
    this.tasksLooked += m;
    return m;
  }

  /** Credits `task` its share since it was last looked at, and runs it if it is due and not owing. */
  private lookAt(task: Task, now: number, frame: number, count: number): void {
    task.ranThisFrame = false;
    if (!task.isActive()) return;
    task.creditTo(count);
    task.owing = task.creditUs <= 0;
    if (task.owing || !task.wantsToRun(now, frame)) return;
    const start = this.lastReadUs;
    const endUs = this.stepsEndUs;
    if (start >= endUs) return;
    // A run due by its rate starts in a frame still below its target: periodic runs due
    // together spread over frames. A run in progress, or one woken, goes on; so does the
    // frame's first run due by its rate, or a lead over the target every frame (a replay
    // at high speed) would hold every periodic run back for good.
    if (task.mayWait()) {
      if (start >= this.spareUntilUs && this.startedByRate) return;
      this.startedByRate = true;
    }
    task.charge(this.runTask(task, math.min(start + task.creditUs, endUs)));
  }

  /**
   * 2. What is left up to the frame's spare limit, to unfinished runs in priority order,
   * except those sitting out a debt or taking no spare time. A run in progress is always
   * looked at in step 1. Counts the frames in a row that stopped at the limit with such
   * a run left (see BEHIND_FRAMES).
   */
  private runSpare(lookedCount: number): void {
    const tasks = this.tasks;
    const looked = this.looked;
    const until = this.spareUntilUs;
    let owing = false;
    for (let j = 0; j < lookedCount; j++) {
      const task = tasks[looked[j]];
      if (!task.isRunning() || !task.spare) continue;
      if (task.owing) {
        // Sitting out a debt still wants time: such a frame does not end a spell at
        // the target (a task of long steps would otherwise never be let past it).
        owing = true;
        continue;
      }
      if (this.lastReadUs < until) this.runTask(task, until);
      // Still in its run with the limit reached: the limit stopped it.
      if (task.isRunning() && this.lastReadUs >= until) {
        this.cappedFrames += 1;
        return;
      }
    }
    if (!owing) this.cappedFrames = 0;
  }

  /** The frame's cost, and the bounds of the tasks looked at, then until when to skip. */
  private endFrame(now: number, frame: number, lookedCount: number): void {
    if (this.timing) this.meterFrame(this.lastReadUs);
    const tasks = this.tasks;
    const looked = this.looked;
    const holdTime = this.holdTime;
    const holdFrame = this.holdFrame;
    for (let j = 0; j < lookedCount; j++) {
      const slot = looked[j];
      const task = tasks[slot];
      if (task.ranThisFrame) task.cost.add(task.frameUs);
      const [t, f] = task.holds();
      holdTime[slot] = t;
      holdFrame[slot] = f;
    }
    this.inFrame = false;
    if (this.pending.length > 0 || this.changed) this.tidy();
    this.findIdle(now, frame);
  }

  /** Counts a frame in which steps ran for `us` µs. */
  private meterFrame(us: number): void {
    this.unmeteredUs += us;
    if (us > this.unmeteredMaxUs) this.unmeteredMaxUs = us;
    if (us > this.budget) this.overBudget += 1;
    if (this.unmeteredUs >= METER_EVERY_US) this.meter();
  }

  /** The frames not yet counted join the meters (skipped ones as frames that cost nothing). */
  private meter(): void {
    const frames = this.unmeteredFrames;
    if (frames === 0) return;
    const us = this.unmeteredUs;
    const maxUs = this.unmeteredMaxUs;
    this.unmeteredFrames = 0;
    this.unmeteredUs = 0;
    this.unmeteredMaxUs = 0;
    this.frameCost.addFrames(frames, us, maxUs);
    this.windowCost.addFrames(frames, us, maxUs);
    this.loadCost.addFrames(frames, us, maxUs);
  }

  /**
   * The frame count starts again from 0; each task's credit mark moves with it, no
   * further back than a wrap (a task that many frames behind has its full quantum).
   */
  private wrapFrameCount(count: number): number {
    for (const list of [this.tasks, this.pending]) {
      for (let i = 0; i < list.length; i++) {
        list[i].creditedThrough = math.max(list[i].creditedThrough - count, -FRAME_COUNT_WRAP);
      }
    }
    return 0;
  }

  /**
   * Works out until when no task can be due (see idleUntilTime), after a frame at
   * `now` and `frame`. A waiting task is held back by whichever of its bounds it has
   * not reached (when neither, the one the game's pace says comes later); no task can
   * be due while the time is before the earliest bound of the tasks held by time and
   * the frame before the earliest of those held by frame.
   */
  private findIdle(now: number, frame: number): void {
    const gameFps = this.gamePace(now, frame);
    const holdTime = this.holdTime;
    const holdFrame = this.holdFrame;
    let untilTime = math.huge;
    let untilFrame = math.huge;
    for (let i = 0; i < holdTime.length; i++) {
      const t = holdTime[i];
      const f = holdFrame[i];
      const byFrame = frame < f;
      const byTime = now < t;
      if (byFrame && (!byTime || f - frame > (t - now) * gameFps)) {
        if (f < untilFrame) untilFrame = f;
      } else if (byTime) {
        if (t < untilTime) untilTime = t;
      } else {
        // It may be due now: the next frame looks.
        untilTime = -math.huge;
        break;
      }
    }
    this.idleUntilTime = untilTime;
    this.idleUntilFrame = untilFrame;
  }

  /**
   * Game frames per wall-clock second, measured over a second or more (the engine's 30
   * until then; 0 or less while paused): only chooses which bound holds a task back.
   */
  private gamePace(now: number, frame: number): number {
    const since = this.paceTime;
    if (since === undefined || frame < this.paceFrame) {
      this.paceTime = now;
      this.paceFrame = frame;
    } else if (now - since >= 1) {
      this.gameFps = (frame - this.paceFrame) / (now - since);
      this.paceTime = now;
      this.paceFrame = frame;
    }
    return this.gameFps;
  }

  /** Cost since the last `resetReport` (allocates: for status and the heartbeat, not per frame). */
  costReport(): CostReport {
    this.meter();
    const frames = this.frameCost.count;
    const tasks: TaskCost[] = [];
    for (const task of this.tasks) {
      tasks.push({
        name: task.name,
        priority: task.priority,
        share: this.budget > 0 ? task.quantumUs / this.budget : 0,
        state: task.state(),
        frames: task.cost.count,
        meanUs: frames > 0 ? task.cost.totalUs() / frames : 0,
        maxUs: task.cost.maxUs,
        overBudget: task.overBudget,
        completed: task.completed,
        error: task.error,
      });
    }
    return {
      budgetUs: this.budget,
      frames,
      meanUs: frames > 0 ? this.frameCost.totalUs() / frames : 0,
      maxUs: this.frameCost.maxUs,
      overBudget: this.overBudget,
      tasks,
    };
  }

  /**
   * Mean and max µs per frame since the last call (0 when no frame ran), then starts
   * again; independent of `costReport`, which keeps counting.
   */
  takeWindow(): { frames: number; meanUs: number; maxUs: number } {
    this.meter();
    const w = this.windowCost;
    const frames = w.count;
    const result = { frames, meanUs: frames > 0 ? w.totalUs() / frames : 0, maxUs: w.maxUs };
    w.reset();
    return result;
  }

  /**
   * Frames and mean µs per frame since the last call, then starts again (no table: the
   * frame-rate guard reads it every few seconds); independent of the other reports.
   */
  takeLoad(): LuaMultiReturn<[number, number]> {
    this.meter();
    const w = this.loadCost;
    const frames = w.count;
    const mean = frames > 0 ? w.totalUs() / frames : 0;
    w.reset();
    return $multi(frames, mean);
  }

  /**
   * Frames that looked at the task list (not skipped) and tasks looked at in them, since
   * the scheduler was made: for tests and benchmarks of the scheduler's own cost.
   */
  looks(): LuaMultiReturn<[number, number]> {
    return $multi(this.framesLooked, this.tasksLooked);
  }

  /** Starts a new reporting window (e.g. after each heartbeat). */
  resetReport(): void {
    this.meter();
    this.frameCost.reset();
    this.overBudget = 0;
    for (const task of this.tasks) {
      task.cost.reset();
      task.overBudget = 0;
      task.completed = 0;
    }
  }

  /** Runs `task` (starting a run if needed) until `deadline` µs into the frame; returns µs used. */
  private runTask(task: Task, deadline: number): number {
    if (!this.timing) {
      this.stopwatch.restart();
      this.timing = true;
    }
    const slice = this.slice;
    const start = this.lastReadUs;
    slice.deadlineUs = deadline;
    if (!task.ranThisFrame) {
      task.ranThisFrame = true;
      task.frameUs = 0;
    }
    const begin = !task.isRunning();
    if (begin) task.startRun(slice.now, slice.gameFrame);
    const [ok, result] = pcall(callRun, task.work, slice, begin);
    if (!ok) this.fail(task, tostring(result));
    else if (result === true) task.finishRun();
    const end = slice.baseUs + this.stopwatch.elapsedUs();
    this.lastReadUs = end;
    const used = end - start;
    task.frameUs += used;
    if (end > this.stepsEndUs && !this.frameOver) {
      this.frameOver = true;
      task.overBudget += 1;
    }
    return used;
  }

  private fail(task: Task, message: string): void {
    task.fail(message);
    this.report(task.name, message);
  }

  private report(task: string, message: string): void {
    if (this.onTaskError !== undefined) pcall(reportError, this.onTaskError, task, message);
  }

  /** Inserts in running order: after every task of the same or a lower priority number. */
  private insert(task: Task): void {
    const tasks = this.tasks;
    let at = tasks.length;
    while (at > 0 && tasks[at - 1].priority > task.priority) at -= 1;
    tasks.splice(at, 0, task);
  }

  /** Numbers the tasks by their place and takes their bounds afresh (after the list changed). */
  private reindex(): void {
    const tasks = this.tasks;
    const holdTime = this.holdTime;
    const holdFrame = this.holdFrame;
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[i];
      task.slot = i;
      const [t, f] = task.holds();
      holdTime[i] = t;
      holdFrame[i] = f;
    }
    while (holdTime.length > tasks.length) {
      holdTime.pop();
      holdFrame.pop();
    }
  }

  /** After a frame: drops removed tasks, adds pending ones, recomputes the shares. */
  private tidy(): void {
    const tasks = this.tasks;
    let kept = 0;
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[i];
      if (task.isRemoved()) {
        task.slot = -1;
      } else {
        tasks[kept] = task;
        kept += 1;
      }
    }
    while (tasks.length > kept) tasks.pop();
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) {
      if (!pending[i].isRemoved()) this.insert(pending[i]);
    }
    while (pending.length > 0) pending.pop();
    this.changed = false;
    this.reindex();
    this.updateShares();
  }

  /**
   * Each active task's quantum: its share of the budget, scaled down if the shares
   * exceed 1. The frames counted so far are credited at the quanta they had.
   */
  private updateShares(): void {
    const count = this.frameCount;
    let sum = 0;
    for (const task of this.tasks) {
      if (task.isActive()) sum += task.share;
      task.creditTo(count);
    }
    const scale = sum > 1 ? 1 / sum : 1;
    for (const task of this.tasks) {
      task.quantumUs = task.isActive() ? this.budget * task.share * scale : 0;
      if (task.creditUs > task.quantumUs) task.creditUs = task.quantumUs;
    }
  }
}

function validBudgetUs(ms: number | undefined): number {
  const value = ms !== undefined && ms > 0 && ms < math.huge ? ms : DEFAULT_FRAME_BUDGET_MS;
  return value * 1000;
}
