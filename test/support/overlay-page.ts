/**
 * The overlay as a viewer sees it: a headless Chromium (test/support/browser.ts finds one)
 * opens the receiver's overlay page, waits until the page has drawn a given point of the
 * receiver's change feed, and reads the scoreboard's rows as text.
 */
import { chromium, type Browser, type Page } from "playwright-core";
import { chromiumPath } from "./browser.ts";

/** One scoreboard row as shown: the texts of its cells. */
export interface ScoreboardRow {
  teamID: number;
  allyTeamID: number;
  dead: boolean;
  name: string;
  side: string;
  metalIncome: string;
  energyIncome: string;
  army: string;
  units: string;
  killsLost: string;
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (executablePath === null) throw new Error("no Chromium (see test/support/browser.ts)");
  return chromium.launch({ executablePath, args: ["--no-sandbox"] });
}

export async function openOverlay(browser: Browser, httpPort: number, query = ""): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(`http://127.0.0.1:${httpPort}/overlay${query}`);
  return page;
}

/** Waits until the page has drawn the receiver's change feed up to `lastId`. */
export async function overlayCaughtUp(
  page: Page,
  lastId: number,
  timeoutMs = 20_000,
): Promise<void> {
  await page.waitForFunction(`Number(document.body.dataset.lastId ?? 0) >= ${lastId}`, null, {
    timeout: timeoutMs,
  });
}

/** The rows' cell texts (run in the page; a string, as this side has no DOM types). */
const READ_ROWS = `[...document.querySelectorAll("#scoreboard [data-team-id]")].map((row) => ({
  teamID: Number(row.dataset.teamId),
  allyTeamID: Number(row.closest("[data-ally-team-id]")?.dataset.allyTeamId),
  dead: row.classList.contains("dead"),
  cells: [...row.children].map((c) => c.textContent ?? ""),
}))`;

export async function readScoreboard(page: Page): Promise<ScoreboardRow[]> {
  const rows = (await page.evaluate(READ_ROWS)) as {
    teamID: number;
    allyTeamID: number;
    dead: boolean;
    cells: string[];
  }[];
  return rows.map(({ teamID, allyTeamID, dead, cells }) => ({
    teamID,
    allyTeamID,
    dead,
    name: cells[1]!,
    side: cells[2]!,
    metalIncome: cells[3]!,
    energyIncome: cells[4]!,
    army: cells[5]!,
    units: cells[6]!,
    killsLost: cells[7]!,
  }));
}
