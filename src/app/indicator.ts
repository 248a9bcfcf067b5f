/**
 * The on-screen status line: what it says and where it goes. Pure; main.ts draws it.
 *
 * The text is rebuilt only when something it shows changes (the state, the address,
 * the whole seconds of a countdown), so drawing it every frame allocates nothing.
 */

export type IndicatorCorner = "top-left" | "top-right" | "bottom-left" | "bottom-right";
export const INDICATOR_CORNERS: readonly IndicatorCorner[] = [
  "top-left",
  "top-right",
  "bottom-left",
  "bottom-right",
];
import type { ConnectionState } from "../link/connection";

/** Inline colour code: byte 255 then red, green, blue (1-255; 10 and 13 avoided as line breaks). */
function colour(r: number, g: number, b: number): string {
  return string.char(255, r, g, b);
}

const STATE_COLOURS: Record<ConnectionState, string> = {
  CONNECTED: colour(96, 230, 96),
  CONNECTING: colour(250, 210, 80),
  RECONNECTING: colour(250, 160, 60),
  ERROR: colour(250, 80, 80),
  DISCONNECTED: colour(170, 170, 170),
};
const LABEL_COLOUR = colour(200, 200, 200);

export const INDICATOR_FONT_SIZE = 13;
const MARGIN = 8;

export class IndicatorText {
  private text = "";
  private state: ConnectionState | undefined;
  private host = "";
  private port = 0;
  private countdown = -1;

  /** The line for the given state; `retryIn` is the seconds left while RECONNECTING. */
  line(state: ConnectionState, host: string, port: number, retryIn: number | undefined): string {
    const countdown = retryIn !== undefined ? math.ceil(retryIn) : -1;
    if (
      state === this.state &&
      countdown === this.countdown &&
      host === this.host &&
      port === this.port
    ) {
      return this.text;
    }
    this.state = state;
    this.countdown = countdown;
    this.host = host;
    this.port = port;
    let text = `${LABEL_COLOUR}Live Data: ${STATE_COLOURS[state]}${state}${LABEL_COLOUR} ${host}:${port}`;
    if (countdown >= 0) {
      text += ` (retry in ${countdown} s)`;
    }
    this.text = text;
    return text;
  }
}

/**
 * Where the line goes in a corner: the text position and gl.Text's options
 * (right-aligned on the right, top-aligned at the top, outlined for contrast).
 * Screen y grows upward from the bottom edge.
 */
export function indicatorPlacement(
  corner: IndicatorCorner,
  vsx: number,
  vsy: number,
): LuaMultiReturn<[number, number, string]> {
  const right = corner === "top-right" || corner === "bottom-right";
  const top = corner === "top-left" || corner === "top-right";
  const x = right ? vsx - MARGIN : MARGIN;
  const y = top ? vsy - MARGIN : MARGIN;
  if (right) {
    return $multi(x, y, top ? "rto" : "rbo");
  }
  return $multi(x, y, top ? "to" : "bo");
}
