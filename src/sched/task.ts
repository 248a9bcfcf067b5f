/**
 * One scheduled task: its options, when its next run is due, its share of the frame
 * budget, and its cost. The scheduler drives it; its owner holds it as a handle
 * (pause, resume, runNow, restart, setRate, remove).
 */
import { CostMeter, TaskState } from "./cost";
import type { Work } from "./work";

/** Suggested priorities: lower runs first. */
export const Priority = {
  /** Sends what is queued: first, so the receiver's latency stays low. */
  sender: 0,
  /** Turns recorded call-ins into messages. */
  events: 10,
  /** Periodic samples (economy, statistics, positions). */
  periodic: 20,
  /** Long jobs nobody waits for (the unit-definition catalog). */
  background: 30,
} as const;

export interface TaskOptions {
  /** Names the task in reports and error messages. */
  name: string;
  /** Lower runs first in each frame; equal priorities run in the order added. */
  priority: number;
  /**
   * The part of the frame budget this task may count on per frame, on average
   * (0 < share <= 1; smaller values count as 0.01). When the shares of all tasks add up to more than 1 they are
   * scaled down in proportion. Time the other tasks leave unused goes to unfinished
   * runs, in priority order.
   */
  share: number;
  /**
   * Periodic: a new run starts at most once per this many wall-clock seconds (the
   * scheduler's clock). Limits a replay at high speed, which runs thousands of game
   * frames per second.
   */
  everySeconds?: number;
  /**
   * Periodic: a new run starts at most once per this many game frames (30 per game
   * second); none while the game frame does not advance (paused, not started).
   * With `everySeconds` too, a run starts when both allow it.
   */
  everyFrames?: number;
  /** A job: one run, then the task is removed (state "done"). */
  once?: boolean;
  /**
   * Whether it also takes the time other tasks leave unused (default true). False for
   * work that is never urgent (background reconciliation): it gets only its share, so
   * a quiet frame stays cheap instead of filling the budget.
   */
  spare?: boolean;
}

/** The share given for a share that is not a positive number. */
const MIN_SHARE = 0.01;

/** Frames of its share a task may owe after a step ran long (it then sits out). */
const MAX_DEBT_FRAMES = 10;

export class Task {
  readonly name: string;
  readonly priority: number;
  readonly share: number;
  readonly once: boolean;
  /** It takes spare time (see TaskOptions.spare). */
  readonly spare: boolean;
  /** Position among tasks added (breaks priority ties). */
  readonly order: number;
  /** What stopped it, when failed. */
  error: string | undefined;

  // Scheduler-owned state, public to the scheduler module only by convention.
  /** µs per frame this task may count on (its scaled share of the budget). */
  quantumUs = 0;
  /** µs it may use now: grows by quantumUs per frame up to quantumUs, falls by what it uses. */
  creditUs = 0;
  /** The scheduler's frame count up to which creditUs has been credited (see creditTo). */
  creditedThrough = 0;
  /** Its index in the scheduler's list (-1 while not in it). */
  slot = -1;
  /** It started this frame owing time: it sits out the frame, spare time included. */
  owing = false;
  /** µs used in the current frame. */
  frameUs = 0;
  /** It ran this frame. */
  ranThisFrame = false;
  readonly cost = new CostMeter();
  /** Frames it pushed over the budget. */
  overBudget = 0;
  completed = 0;

  private status: TaskState = "waiting";
  private everySeconds: number | undefined;
  private everyFrames: number | undefined;
  private nextDueTime = -math.huge;
  private nextDueFrame = -math.huge;
  private forced = false;
  private removed = false;
  private pausedRunning = false;

  /**
   * @param onChange told when it is removed or fails (the scheduler tidies its list)
   * @param onWake told when it may be due earlier than the scheduler last worked out
   *   (runNow, restart, resume, setRate): the scheduler looks at it again
   */
  constructor(
    readonly work: Work,
    options: TaskOptions,
    order: number,
    private readonly onChange: (this: void, task: Task) => void,
    private readonly onWake: (this: void, task: Task) => void,
  ) {
    this.name = options.name;
    this.priority = options.priority;
    // A share of 0 (or not a number) would never start a run: the smallest share instead.
    this.share = options.share > MIN_SHARE ? math.min(options.share, 1) : MIN_SHARE;
    this.once = options.once === true;
    this.spare = options.spare !== false;
    this.order = order;
    this.everySeconds = options.everySeconds;
    this.everyFrames = options.everyFrames;
  }

  /** Where it stands: waiting for its next run, in a run, paused, failed or done. */
  state(): TaskState {
    return this.status;
  }

  /** Stops starting and continuing runs until `resume`; a run in progress is kept. */
  pause(): void {
    if (this.status === "running" || this.status === "waiting") {
      this.pausedRunning = this.status === "running";
      this.status = "paused";
    }
  }

  resume(): void {
    if (this.status === "paused") {
      this.status = this.pausedRunning ? "running" : "waiting";
      this.onWake(this);
    }
  }

  /** Starts a new run in the next frame, whatever the rate says (after the run in progress). */
  runNow(): void {
    this.forced = true;
    this.onWake(this);
  }

  /** Abandons the run in progress and starts a new one in the next frame (`begin` again). */
  restart(): void {
    if (this.status === "running") this.status = "waiting";
    else if (this.status === "paused") this.pausedRunning = false;
    this.forced = true;
    this.onWake(this);
  }

  /** Changes the rate (see TaskOptions); counts from the last run's start. */
  setRate(everySeconds: number | undefined, everyFrames: number | undefined): void {
    if (this.everySeconds !== undefined && everySeconds !== undefined) {
      this.nextDueTime += everySeconds - this.everySeconds;
    }
    if (this.everyFrames !== undefined && everyFrames !== undefined) {
      this.nextDueFrame += everyFrames - this.everyFrames;
    }
    this.everySeconds = everySeconds;
    this.everyFrames = everyFrames;
    this.onWake(this);
  }

  /** Takes it out of the scheduler at the end of the frame (state "done"). */
  remove(): void {
    if (!this.removed) {
      this.removed = true;
      this.status = "done";
      this.onChange(this);
    }
  }

  // ---- used by the scheduler ------------------------------------------------------

  isRemoved(): boolean {
    return this.removed;
  }

  /** Whether it counts for the shares: not removed, not failed. */
  isActive(): boolean {
    return !this.removed && this.status !== "failed";
  }

  /** Whether it takes part in this frame: in a run, or waiting and due. */
  wantsToRun(now: number, gameFrame: number): boolean {
    const [time, frame] = this.holds();
    return now >= time && gameFrame >= frame;
  }

  /**
   * What holds it back: it cannot be due while the wall time is before the first value
   * or the game frame before the second. -math.huge for a rate it does not have, and
   * both when it may be due whatever the time (running, forced, or without a rate);
   * both math.huge when it cannot run at all (paused, failed, done).
   */
  holds(): LuaMultiReturn<[number, number]> {
    const status = this.status;
    if (status === "running") return $multi(-math.huge, -math.huge);
    if (status !== "waiting") return $multi(math.huge, math.huge);
    if (this.forced) return $multi(-math.huge, -math.huge);
    return $multi(
      this.everySeconds !== undefined ? this.nextDueTime : -math.huge,
      this.everyFrames !== undefined ? this.nextDueFrame : -math.huge,
    );
  }

  isRunning(): boolean {
    return this.status === "running";
  }

  /** Its next run starts on its own schedule (waiting, not woken): it may start a frame later. */
  mayWait(): boolean {
    return this.status === "waiting" && !this.forced;
  }

  /**
   * A run starts now: schedules the next one a period on, keeping the phase unless a
   * period behind, and never more than a period from now. A run started before it was
   * due (`runNow`) must not push the next one a period further each time: a task woken
   * every frame (the session's sender while changes come) would then go unpolled for
   * minutes once nothing wakes it, and its timers with it.
   */
  startRun(now: number, gameFrame: number): void {
    this.status = "running";
    this.forced = false;
    const seconds = this.everySeconds;
    if (seconds !== undefined) {
      this.nextDueTime = math.min(this.nextDueTime, now) + seconds;
      if (this.nextDueTime <= now) this.nextDueTime = now + seconds;
    }
    const frames = this.everyFrames;
    if (frames !== undefined) {
      this.nextDueFrame = math.min(this.nextDueFrame, gameFrame) + frames;
      if (this.nextDueFrame <= gameFrame) this.nextDueFrame = gameFrame + frames;
    }
  }

  /** The run in progress finished. */
  finishRun(): void {
    this.completed += 1;
    if (this.once) {
      this.remove();
    } else if (this.status === "running") {
      this.status = "waiting";
    }
  }

  /** `begin` or `step` raised `message`: the task stops for good. */
  fail(message: string): void {
    this.error = message;
    this.status = "failed";
    this.onChange(this);
  }

  /**
   * Adds a quantum for each frame since it was last credited, up to the scheduler's
   * frame `count` (the scheduler credits a task only when it looks at it, and skips
   * frames in which no task can run); unused credit does not pile up beyond one
   * quantum, so this equals adding one quantum a frame, frame by frame.
   */
  creditTo(count: number): void {
    const frames = count - this.creditedThrough;
    if (frames <= 0) return;
    this.creditedThrough = count;
    this.creditUs = math.min(this.creditUs + this.quantumUs * frames, this.quantumUs);
  }

  /** Charges time used within its share; the debt is capped so it sits out a few frames at most. */
  charge(us: number): void {
    this.creditUs = math.max(this.creditUs - us, -MAX_DEBT_FRAMES * this.quantumUs);
  }
}
