// A minimal Thrift compact-protocol decoder: just enough to read a Parquet footer (parquet-wasm 0.8 exposes no statistics).

/** A decoded struct: field id → value. Field names live in footer.ts, next to the Parquet spec they come from. */
export type ThriftStruct = Map<number, ThriftValue>;
export type ThriftValue = boolean | number | Uint8Array | ThriftValue[] | ThriftStruct | Map<ThriftValue, ThriftValue>;

enum Type {
  Stop = 0,
  True = 1,
  False = 2,
  Byte = 3,
  I16 = 4,
  I32 = 5,
  I64 = 6,
  Double = 7,
  Binary = 8,
  List = 9,
  Set = 10,
  Map = 11,
  Struct = 12,
}

/** Nesting deeper than this is not a Parquet footer; the cap keeps a hostile file from exhausting the stack. */
const MAX_DEPTH = 64;

export class ThriftError extends Error {}

/**
 * Reads one struct from `bytes` at `offset`. Integers come back as Numbers: every i64 in a
 * footer (offsets, sizes, row counts) is far below 2^53, and a larger one throws rather than
 * silently losing precision. Statistics values stay raw bytes for the caller to interpret.
 */
export function readStruct(bytes: Uint8Array, offset = 0): { value: ThriftStruct; end: number } {
  const reader = new Reader(bytes, offset);
  const value = reader.struct(0);
  return { value, end: reader.pos };
}

class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
  ) {}

  struct(depth: number): ThriftStruct {
    if (depth > MAX_DEPTH) throw new ThriftError('structs nested too deeply');
    const out: ThriftStruct = new Map();
    let lastId = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === Type.Stop) return out;
      const delta = header >> 4;
      const id = delta === 0 ? this.zigzag(this.varint()) : lastId + delta;
      lastId = id;
      out.set(id, type === Type.True ? true : type === Type.False ? false : this.value(type, depth));
    }
  }

  private value(type: number, depth: number): ThriftValue {
    switch (type) {
      case Type.True:
      case Type.False:
        // Inside lists and sets a bool is a whole byte (1 = true); as a field its value sits in the header.
        return this.byte() === 1;
      case Type.Byte: {
        const b = this.byte();
        return b > 127 ? b - 256 : b;
      }
      case Type.I16:
      case Type.I32:
      case Type.I64:
        return this.zigzag(this.varint());
      case Type.Double: {
        this.need(8);
        const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
      }
      case Type.Binary: {
        const length = this.varint();
        this.need(length);
        const v = this.bytes.subarray(this.pos, this.pos + length);
        this.pos += length;
        return v;
      }
      case Type.List:
      case Type.Set: {
        const header = this.byte();
        const size = header >> 4 === 15 ? this.varint() : header >> 4;
        const elementType = header & 0x0f;
        // Each element takes at least one byte: a size beyond the remaining bytes is corruption, not a big list.
        this.need(size);
        const list: ThriftValue[] = new Array(size);
        for (let i = 0; i < size; i++) list[i] = this.value(elementType, depth + 1);
        return list;
      }
      case Type.Map: {
        const size = this.varint();
        const map = new Map<ThriftValue, ThriftValue>();
        if (size === 0) return map;
        const types = this.byte();
        this.need(size);
        for (let i = 0; i < size; i++) map.set(this.value(types >> 4, depth + 1), this.value(types & 0x0f, depth + 1));
        return map;
      }
      case Type.Struct:
        return this.struct(depth + 1);
      default:
        throw new ThriftError(`unknown field type ${type} at byte ${this.pos}`);
    }
  }

  private byte(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  /** Unsigned LEB128 as a Number; more than 53 bits throws. */
  private varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw new ThriftError('integer larger than 2^53');
        return result;
      }
      scale *= 128;
    }
    throw new ThriftError('varint longer than 10 bytes');
  }

  private zigzag(n: number): number {
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  private need(n: number): void {
    if (this.pos + n > this.bytes.length)
      throw new ThriftError(`footer ends early (needs ${n} bytes at ${this.pos} of ${this.bytes.length})`);
  }
}
