/**
 * Encodes one message across as many steps as the frame budget needs (a snapshot, a
 * 10,000-unit positions message, a catalog part), with the same bytes as `encode`.
 *
 * The message is walked field by field; an array field element by element, looking at
 * the budget after every `batch` elements. Its `seq` (and any other leading field the
 * caller names, such as a snapshot's reason) is written last (`finish`), so a message
 * encoded over several frames takes its place in the sequence when it is complete:
 * messages produced meanwhile come first. Parts are joined into chunks now and then,
 * so that no single `table.concat` grows with the message.
 */
import type { Budget } from "../collect/budget";
import { Kind, encodeInto, numberText, quote, writeField } from "./json";
import type { ArrayShape, ObjectShape, Parts, RowWriter } from "./json";

/** Parts joined into a chunk once this many have gathered (a join stays well under 0.1 ms). */
const PARTS_PER_CHUNK = 1024;

/** An array field written by a row writer (records as tuples) instead of its shape. */
export interface Rows {
  key: string;
  writer: RowWriter;
  /** Rows written between looks at the budget. */
  batch: number;
}

export class SlicedEncoder {
  private shape: ObjectShape | undefined;
  private record: LuaTable<string, unknown> = new LuaTable();
  private rows: Rows | undefined;
  /** Fields 1..head (type, seq, ...) are written by `finish`. */
  private head = 2;
  /** Next field to write (1-based). */
  private field = 3;
  /** Next element of the array field being written; 0 when none is open. */
  private element = 0;
  private parts: Parts = new LuaTable();
  private n = 0;
  private chunks: string[] = [];
  private done = false;

  /**
   * Starts encoding `record` (a sequenced message: its shape begins with type, seq),
   * dropping any message in progress. Fields 1..`head` (at least 2) are written by
   * `finish`, from the record as it is then.
   */
  start(shape: ObjectShape, record: object, rows?: Rows, head = 2): void {
    this.shape = shape;
    this.record = record as LuaTable<string, unknown>;
    this.rows = rows;
    this.head = head;
    this.field = head + 1;
    this.element = 0;
    this.parts = new LuaTable();
    this.n = 0;
    this.chunks = [];
    this.done = false;
  }

  /** Whether a message is being encoded (started, and not finished or cleared). */
  busy(): boolean {
    return this.shape !== undefined;
  }

  /** The record being encoded, if any. */
  current(): object | undefined {
    return this.shape !== undefined ? this.record : undefined;
  }

  /** Drops the message in progress. */
  clear(): void {
    this.shape = undefined;
    this.record = new LuaTable();
    this.rows = undefined;
    this.parts = new LuaTable();
    this.chunks = [];
    this.done = false;
  }

  /**
   * Writes on until the message is complete (true) or the budget has expired (false),
   * doing at least one field or batch of elements.
   */
  step(budget: Budget): boolean {
    const shape = this.shape;
    if (shape === undefined) return true;
    if (this.done) return true;
    const record = this.record;
    while (this.field <= shape.count) {
      const i = this.field;
      const key = shape.keys.get(i);
      const value = record.get(key);
      const fieldShape = shape.shapes.get(i);
      const rows = this.rows !== undefined && this.rows.key === key ? this.rows : undefined;
      const array = fieldShape.kind === Kind.Array ? fieldShape : undefined;
      if (type(value) === "table" && (rows !== undefined || array !== undefined)) {
        const list = value as LuaTable<number, unknown>;
        const count = list.length();
        if (this.element === 0) {
          this.put(shape.prefixes.get(i) + "[");
          this.element = 1;
        }
        while (this.element <= count) {
          const first = this.element;
          if (rows !== undefined) {
            const last = math.min(count, first + rows.batch - 1);
            this.n = rows.writer(this.parts, this.n, list, first, last);
            this.element = last + 1;
          } else {
            if (first > 1) this.put(",");
            this.n = encodeInto(this.parts, this.n, (array as ArrayShape).item, list.get(first));
            this.element = first + 1;
          }
          this.chunkIfFull();
          if (budget.expired() && this.element <= count) return false;
        }
        this.put("]");
        this.element = 0;
      } else {
        this.n = writeField(this.parts, this.n, shape, record, i);
      }
      this.field = i + 1;
      this.chunkIfFull();
      if (budget.expired() && this.field <= shape.count) return false;
    }
    this.put("}\n");
    this.chunks.push(table.concat(this.parts as unknown as string[], "", 1, this.n));
    this.n = 0;
    this.done = true;
    return true;
  }

  /**
   * The complete line (newline included) with `seq` and the other leading fields
   * written in; the encoder is then free for the next message. Only after `step`
   * returned true.
   */
  finish(seq: number): string {
    const shape = this.shape;
    if (shape === undefined || !this.done)
      return error("SlicedEncoder.finish before the message is complete");
    const parts: Parts = new LuaTable();
    parts.set(1, shape.prefixes.get(1) + quote(this.record.get(shape.keys.get(1)) as string));
    parts.set(2, shape.prefixes.get(2) + numberText(seq));
    let n = 2;
    for (const i of $range(3, this.head)) n = writeField(parts, n, shape, this.record, i);
    const chunks = this.chunks;
    table.insert(chunks, 1, table.concat(parts as unknown as string[], "", 1, n));
    const line = table.concat(chunks);
    this.clear();
    return line;
  }

  private put(text: string): void {
    this.n += 1;
    this.parts.set(this.n, text);
  }

  private chunkIfFull(): void {
    if (this.n >= PARTS_PER_CHUNK) {
      this.chunks.push(table.concat(this.parts as unknown as string[], "", 1, this.n));
      this.n = 0;
    }
  }
}
