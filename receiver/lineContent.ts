// Decides whether a received line can be printed as text or must be summarised.
import { isUtf8 } from "node:buffer";

export type LineContent = { kind: "text"; text: string } | { kind: "binary" };

// C0 controls except TAB, plus DEL and the C1 controls: printed raw they could move the
// cursor, clear or recolour the operator's terminal, so such lines are summarised instead.
const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

export function decodeLine(bytes: Uint8Array): LineContent {
  if (!isUtf8(bytes)) return { kind: "binary" };
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  return UNPRINTABLE.test(text) ? { kind: "binary" } : { kind: "text", text };
}
