// Draws the overlay from a game state: scoreboard, charts (uPlot), ticker, status mark. Only
// called when something changed, at most twice a second, so OBS stays cheap.
import uPlot from "uplot";
import { gameMetrics } from "../../state/metrics.ts";
import type { GameState } from "../../state/gameState.ts";

export type LinkState = "live" | "stale" | "disconnected" | "ended" | "offline";

const LINK_TEXT: Record<LinkState, string> = {
  live: "LIVE",
  stale: "STALE: no data",
  disconnected: "WIDGET DISCONNECTED",
  ended: "GAME ENDED",
  offline: "RECEIVER OFFLINE: reconnecting",
};

const $ = (id: string): HTMLElement => document.getElementById(id)!;

function cssColor(color: (number | null)[]): string {
  const [r, g, b] = color.map((c) => Math.round((c ?? 0) * 255));
  return `rgb(${r},${g},${b})`;
}

/** Game seconds as m:ss. */
const clock = (seconds: number): string => {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};

const fmt = (value: number | null, digits = 0): string =>
  value === null ? "–" : value >= 10_000 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(digits);

function cell(text: string, className = "num"): HTMLElement {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  return element;
}

export class OverlayView {
  private charts = new Map<string, uPlot>();
  private chartTeams = "";

  constructor(private readonly incomeResource: "metal" | "energy") {}

  link(state: LinkState): void {
    const status = $("status");
    status.dataset.state = state;
    status.textContent = LINK_TEXT[state];
    document.body.classList.toggle("stale", state !== "live");
  }

  render(state: GameState): void {
    $("clock").textContent = clock(state.frame / 30);
    document.body.dataset.frame = String(state.frame);
    $("map").textContent = state.game?.mapName ?? state.hello?.mapName ?? "";
    this.renderScoreboard(state);
    this.renderCharts(state);
    this.renderTicker(state);
  }

  private renderScoreboard(state: GameState): void {
    const metrics = new Map(gameMetrics(state).map((m) => [m.teamID, m]));
    const board = $("scoreboard");
    const allies = new Map<number, HTMLElement>();
    const fragment = document.createDocumentFragment();
    const head = document.createElement("div");
    head.className = "team head";
    for (const text of [
      "",
      "Player",
      "Faction",
      this.incomeResource === "metal" ? "Metal/s" : "Energy/s",
      "Energy/s",
      "Army",
      "Units",
      "Kills / lost",
    ]) {
      head.append(cell(text));
    }
    fragment.append(head);
    for (const team of state.teams) {
      if (team.info.isGaia) continue;
      const m = metrics.get(team.info.teamID)!;
      let ally = allies.get(team.info.allyTeamID);
      if (!ally) {
        ally = document.createElement("div");
        ally.className = "ally";
        ally.dataset.allyTeamId = String(team.info.allyTeamID);
        allies.set(team.info.allyTeamID, ally);
        fragment.append(ally);
      }
      const row = document.createElement("div");
      row.className = `team${team.info.isDead ? " dead" : ""}`;
      row.dataset.teamId = String(team.info.teamID);
      const swatch = cell("", "swatch");
      swatch.style.background = cssColor(team.info.color);
      const leader = state.players.find((p) => p.playerID === team.info.leader);
      const name = leader?.name ?? team.info.aiName ?? `Team ${team.info.teamID}`;
      row.append(
        swatch,
        cell(name, "name"),
        cell(team.info.side || "?", "side"),
        cell(fmt(m.metalIncome, 1)),
        cell(fmt(m.energyIncome)),
        cell(fmt(m.armyValue)),
        cell(String(m.unitCount)),
        cell(`${fmt(m.killedMetal)} / ${fmt(m.lostMetal)}`),
      );
      row.children[6]!.setAttribute("data-metric", "units");
      row.children[5]!.setAttribute("data-metric", "army");
      ally.append(row);
    }
    board.replaceChildren(fragment);
  }

  private renderCharts(state: GameState): void {
    const history = state.history;
    const teams = state.teams.filter((t) => !t.info.isGaia);
    const key = teams.map((t) => `${t.info.teamID}:${cssColor(t.info.color)}`).join(",");
    if (key !== this.chartTeams) {
      for (const chart of this.charts.values()) chart.destroy();
      this.charts.clear();
      this.chartTeams = key;
    }
    const income = this.incomeResource === "metal" ? history.metalIncome : history.energyIncome;
    const series: [string, Record<string, (number | null)[]>][] = [
      ["chart-income", income],
      ["chart-army", history.armyValue],
    ];
    for (const [id, values] of series) {
      const data: uPlot.AlignedData = [
        history.time,
        ...teams.map((t) => values[String(t.info.teamID)] ?? history.time.map(() => null)),
      ];
      let chart = this.charts.get(id);
      if (!chart) {
        chart = new uPlot(
          {
            width: 1080,
            height: 330,
            legend: { show: false },
            cursor: { show: false },
            scales: { x: { time: false } },
            axes: [
              {
                stroke: "#ccc",
                grid: { stroke: "#333" },
                values: (_u, ticks) => ticks.map(clock),
              },
              { stroke: "#ccc", grid: { stroke: "#333" } },
            ],
            series: [
              {},
              ...teams.map((t) => ({
                stroke: cssColor(t.info.color),
                width: 2,
                points: { show: false },
              })),
            ],
          },
          data,
          $(id),
        );
        this.charts.set(id, chart);
      } else {
        chart.setData(data);
      }
    }
  }

  private renderTicker(state: GameState): void {
    const ticker = $("ticker");
    const items = state.ticker
      .slice(-6)
      .reverse()
      .map((event) => {
        const li = document.createElement("li");
        const seconds = Math.floor(event.frame / 30);
        li.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")} ${event.text}`;
        const team = state.teams.find((t) => t.info.teamID === event.teamID);
        if (team) li.style.borderLeft = `6px solid ${cssColor(team.info.color)}`;
        return li;
      });
    ticker.replaceChildren(...items);
  }
}
