/**
 * What the protocol's end-to-end files share (test/e2e/protocol.test.ts, and
 * protocol-budget.test.ts, the run with timing checks): a trial that ends only what it
 * started, the widget's config and status, waiting for a receiver to catch up.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BarHost } from "./driver.ts";
import type { Delivery } from "./pipeline.ts";
import { WIDGET_NAME, writeWidgetConfig, type LuaValue } from "./widget-config.ts";
import { readGame, worldConfig, type WorldConfig } from "./world-driver.ts";
import { WIDGET } from "./world-collect-suite.ts";
import { ProtocolReceiver } from "../support/protocolReceiver.ts";

/**
 * What one test started, stopped when it finishes: the runs without timing checks go
 * at once, so cleanup must not touch another test's host or receiver.
 */
export class Trial {
  private readonly receivers: ProtocolReceiver[] = [];
  private readonly hosts: BarHost[] = [];

  async startReceiver(receiver = new ProtocolReceiver(), port = 0): Promise<number> {
    this.receivers.push(receiver);
    return receiver.start(port);
  }

  async play(
    interpreter: string,
    world: WorldConfig,
    settings: Record<string, LuaValue>,
    maxSeconds = 150,
  ): Promise<{ host: BarHost; truthLog: string }> {
    const { configPath: worldPath, truthLog } = worldConfig(world);
    const host = await BarHost.start({
      interpreter,
      widget: WIDGET,
      world: worldPath,
      configPath: writeConfig({ host: "127.0.0.1", retryInitialDelay: 0.1, ...settings }),
      maxSeconds,
    });
    this.hosts.push(host);
    return { host, truthLog };
  }

  async end(): Promise<void> {
    await Promise.all(this.hosts.splice(0).map((h) => h.kill()));
    for (const r of this.receivers.splice(0)) await r.stop();
  }
}

/** A BAR config file holding the widget's saved settings. */
function writeConfig(settings: Record<string, LuaValue>): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "protocol-e2e-")), "config.lua");
  writeWidgetConfig(file, { [WIDGET_NAME]: settings });
  return file;
}

export interface WidgetStatus {
  state: string;
  internalErrors: number;
  lastInternalError?: string;
  delivery: Delivery;
  collection: { pending: number };
  frameCost: {
    budgetUs: number;
    frames: number;
    meanUs: number;
    tasks: { name: string; meanUs: number; error?: string }[];
  };
}

export async function widgetStatus(host: BarHost): Promise<WidgetStatus> {
  return (await host.status()).widgetStatus as WidgetStatus;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the receiver has every message the widget produced so far. */
export async function caughtUp(
  host: BarHost,
  receiver: ProtocolReceiver,
  timeoutMs = 20_000,
): Promise<WidgetStatus> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await widgetStatus(host);
    if (s.delivery.produced > 0 && receiver.highestSeq() >= s.delivery.produced) return s;
    if (Date.now() > until) {
      throw new Error(
        `the receiver has seq ${receiver.highestSeq()}, the widget produced ${s.delivery.produced}`,
      );
    }
    await sleep(100);
  }
}

/** The world's game time runs this many times real time, so that the game lasts about `seconds`. */
export function speedFor(game: string, seconds: number): number {
  return readGame(game).gameSeconds / seconds;
}
