// A typed Thrift compact-protocol codec for tests: decode a Parquet footer or page header, change a field, encode it back.
export type TValue =
  | { t: 1 | 2; v: boolean }
  | { t: 3 | 4 | 5 | 6; v: number }
  | { t: 7; v: number }
  | { t: 8; v: Uint8Array }
  | { t: 9 | 10; elem: number; v: TValue[] }
  | { t: 11; kt: number; vt: number; v: [TValue, TValue][] }
  | { t: 12; v: TStruct };
/** Field id → typed value, in the order read. */
export type TStruct = Map<number, TValue>;

export function decodeStruct(bytes: Uint8Array, at = 0): { value: TStruct; end: number } {
  let pos = at;
  const byte = () => bytes[pos++];
  const varint = () => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
  };
  const zigzag = (n: number) => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);
  const value = (t: number, inList: boolean): TValue => {
    switch (t) {
      case 1:
      case 2:
        return inList ? { t: 1, v: byte() === 1 } : { t: t as 1 | 2, v: t === 1 };
      case 3:
        return { t: 3, v: byte() };
      case 4:
      case 5:
      case 6:
        return { t: t as 4 | 5 | 6, v: zigzag(varint()) };
      case 7: {
        const v = new DataView(bytes.buffer, bytes.byteOffset + pos, 8).getFloat64(0, true);
        pos += 8;
        return { t: 7, v };
      }
      case 8: {
        const n = varint();
        const v = bytes.slice(pos, pos + n);
        pos += n;
        return { t: 8, v };
      }
      case 9:
      case 10: {
        const h = byte();
        const size = h >> 4 === 15 ? varint() : h >> 4;
        const elem = h & 0x0f;
        return { t: t as 9 | 10, elem, v: Array.from({ length: size }, () => value(elem, true)) };
      }
      case 11: {
        const size = varint();
        if (size === 0) return { t: 11, kt: 0, vt: 0, v: [] };
        const h = byte();
        return {
          t: 11,
          kt: h >> 4,
          vt: h & 0x0f,
          v: Array.from({ length: size }, () => [value(h >> 4, true), value(h & 0x0f, true)] as [TValue, TValue]),
        };
      }
      case 12:
        return { t: 12, v: struct() };
      default:
        throw new Error(`type ${t}`);
    }
  };
  const struct = (): TStruct => {
    const out: TStruct = new Map();
    let last = 0;
    for (;;) {
      const h = byte();
      const t = h & 0x0f;
      if (t === 0) return out;
      const id = h >> 4 === 0 ? zigzag(varint()) : last + (h >> 4);
      last = id;
      out.set(id, value(t, false));
    }
  };
  const value0 = struct();
  return { value: value0, end: pos };
}

export function encodeStruct(struct: TStruct): Uint8Array {
  const out: number[] = [];
  const varint = (n: number) => {
    do {
      let b = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) b |= 0x80;
      out.push(b);
    } while (n > 0);
  };
  const zigzag = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);
  const value = (v: TValue, inList: boolean) => {
    switch (v.t) {
      case 1:
      case 2:
        if (inList) out.push(v.v ? 1 : 2);
        return;
      case 3:
        out.push(v.v & 0xff);
        return;
      case 4:
      case 5:
      case 6:
        varint(zigzag(v.v));
        return;
      case 7: {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setFloat64(0, v.v, true);
        out.push(...b);
        return;
      }
      case 8:
        varint(v.v.length);
        out.push(...v.v);
        return;
      case 9:
      case 10:
        if (v.v.length < 15) out.push((v.v.length << 4) | v.elem);
        else {
          out.push(0xf0 | v.elem);
          varint(v.v.length);
        }
        for (const e of v.v) value(e, true);
        return;
      case 11:
        varint(v.v.length);
        if (v.v.length > 0) out.push((v.kt << 4) | v.vt);
        for (const [k, x] of v.v) {
          value(k, true);
          value(x, true);
        }
        return;
      case 12:
        struct_(v.v);
        return;
    }
  };
  const struct_ = (s: TStruct) => {
    let last = 0;
    for (const [id, v] of [...s].sort((a, b) => a[0] - b[0])) {
      const t = v.t === 1 || v.t === 2 ? (v.v ? 1 : 2) : v.t;
      const delta = id - last;
      if (delta > 0 && delta <= 15) out.push((delta << 4) | t);
      else {
        out.push(t);
        varint(zigzag(id));
      }
      value(v, false);
      last = id;
    }
    out.push(0);
  };
  struct_(struct);
  return Uint8Array.from(out);
}

export const int = (s: TStruct, id: number) => (s.get(id) as { v: number } | undefined)?.v;
export const sub = (s: TStruct, id: number) => (s.get(id) as { v: TStruct }).v;
export const items = (s: TStruct, id: number) => (s.get(id) as { v: TValue[] }).v;
export function setInt(s: TStruct, id: number, v: number, t: 5 | 6 = 6): void {
  const old = s.get(id);
  s.set(id, { t: old && (old.t === 4 || old.t === 5 || old.t === 6) ? old.t : t, v });
}
