// Seeded traceparent/tracestate header values, valid and hostile, each labelled with what the W3C Trace Context spec says a server must do with it.
import type { Rng } from '../../src/lake/demo/prng.js';

export interface TraceContextCase {
  label: string;
  /** Header values as they go on the wire: a string of Latin-1 characters stands for the bytes sent; an array sends the header twice. */
  traceparent?: string | string[];
  tracestate?: string;
  /** A traceparent the server must continue: its ids and whether its sampled flag is set. */
  joins?: { traceId: string; spanId: string; sampled: boolean };
  /** Ids that appear in a malformed traceparent: the fresh trace must not take them. */
  ids: string[];
}

/** A header carries bytes: a string's UTF-8, written as the Latin-1 characters Node's HTTP client sends byte for byte. */
export function utf8Bytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

const UNICODE = ['é', 'ü', 'ａ', '０', '٠', '𝟎', '😀', '\u200b', '\u202e', 'а', 'ß', '\ufeff'];
const HEX = '0123456789abcdef';

/** `count` cases from `rng`, every kind in turn: the kinds below are the malformed shapes the spec names and a few it implies. */
export function traceContextCases(rng: Rng, count: number): TraceContextCase[] {
  const int = (n: number) => Math.floor(rng() * n);
  const pick = <T>(items: readonly T[]) => items[int(items.length)];
  const hex = (n: number) => Array.from({ length: n }, () => HEX[int(16)]).join('');
  /** Non-zero ids with at least one letter, so upper-casing changes them. */
  const id = (n: number) => `${pick([...'abcdef'])}${hex(n - 1)}`;
  const printable = (n: number) => Array.from({ length: n }, () => String.fromCharCode(0x20 + int(95))).join('');
  const flags = () => hex(2);
  const sampled = (f: string) => (Number.parseInt(f, 16) & 1) === 1;

  const kinds: ((i: number) => TraceContextCase)[] = [
    () => {
      const [t, s, f] = [id(32), id(16), flags()];
      return {
        label: 'valid',
        traceparent: `00-${t}-${s}-${f}`,
        joins: { traceId: t, spanId: s, sampled: sampled(f) },
        ids: [],
      };
    },
    () => {
      // A later version than we know: parsed by its first four fields, whatever follows (spec, "Versioning of traceparent").
      const [t, s, f] = [id(32), id(16), flags()];
      const version = pick(['01', '7f', 'cc', 'fe']);
      const tail = rng() < 0.5 ? `-${printable(int(40))}` : '';
      return {
        label: `future version ${version}`,
        traceparent: `${version}-${t}-${s}-${f}${tail}`,
        joins: { traceId: t, spanId: s, sampled: sampled(f) },
        ids: [],
      };
    },
    () => ({ label: 'garbage', traceparent: printable(1 + int(300)), ids: [] }),
    () => {
      const [t, s] = [id(32), id(16)];
      const long = [
        `00-${t}-${s}-01-${'a'.repeat(1000 + int(6000))}`,
        `00-${t}${hex(1 + int(4000))}-${s}-01`,
        `00-${t}-${s}${hex(1 + int(4000))}-01`,
        `00-${t}-${s}-01${'0'.repeat(1 + int(4000))}`,
        `${'0'.repeat(3 + int(4000))}-${t}-${s}-01`,
      ];
      return { label: 'over-long', traceparent: pick(long), ids: [t, s] };
    },
    () => {
      const [t, s] = [id(32), id(16)];
      const version = pick(['ff', 'zz', '0', '000', '-1', 'g0', '']);
      return { label: `wrong version "${version}"`, traceparent: `${version}-${t}-${s}-01`, ids: [t, s] };
    },
    () => {
      const [t, s] = [id(32), id(16)];
      const zero = pick([
        `00-${'0'.repeat(32)}-${s}-01`,
        `00-${t}-${'0'.repeat(16)}-01`,
        `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01`,
      ]);
      return { label: 'all-zero id', traceparent: zero, ids: [t, s] };
    },
    () => {
      const [t, s] = [id(32), id(16)];
      const upper = pick([`00-${t.toUpperCase()}-${s}-01`, `00-${t}-${s.toUpperCase()}-01`, `00-${t}-${s}-AB`]);
      return { label: 'upper-case hex', traceparent: upper, ids: [t, s] };
    },
    () => {
      const [t, s] = [id(32), id(16)];
      const valid = `00-${t}-${s}-01`;
      const at = 3 + int(valid.length - 3);
      const swapped = `${valid.slice(0, at)}${pick(UNICODE)}${valid.slice(at + 1)}`;
      const whole = pick([swapped, `00-${t.slice(0, 31)}${pick(UNICODE)}-${s}-01`, `${pick(UNICODE).repeat(55)}`]);
      return { label: 'unicode', traceparent: utf8Bytes(whole), ids: [t, s] };
    },
    () => {
      const [t, s] = [id(32), id(16)];
      const bent = pick([
        `00_${t}_${s}_01`,
        `00-${t}-${s}`,
        `00-${t}-01`,
        `${t}-${s}`,
        `00--${t}-${s}-01`,
        `00-${t}-${s}--01`,
        `00-${t} -${s}-01`,
        `00-${t}-${s}-01\t-x`,
        `00-${t.slice(1)}-${s}-01`,
        `00-${t}-${s.slice(1)}-01`,
        `00-${t}-${s}-1`,
        `00-${t}-${s}-0x1`,
      ]);
      return { label: 'bent structure', traceparent: bent, ids: [t, s] };
    },
    () => {
      const [t, s] = [id(32), id(16)];
      const valid = `00-${t}-${s}-01`;
      const [t2, s2] = [id(32), id(16)];
      const other = `00-${t2}-${s2}-01`;
      const listed = pick([
        `${valid}${','.repeat(1 + int(3000))}`,
        `${valid},${other}`,
        `${','.repeat(1 + int(3000))}${valid}`,
        Array.from({ length: 2 + int(60) }, () => valid).join(','),
      ]);
      // Two traceparent headers: the server sees them joined by a comma, which no version allows.
      const traceparent = rng() < 0.3 ? [valid, other] : listed;
      return { label: 'many commas', traceparent, ids: [t, s, t2, s2] };
    },
    () => {
      // A valid traceparent with a hostile tracestate: the trace continues; the state is kept only as far as it is well formed.
      const [t, s] = [id(32), id(16)];
      const state = pick([
        ','.repeat(1 + int(6000)),
        Array.from({ length: 33 + int(200) }, (_, j) => `k${j}=v${j}`).join(','),
        `a=${'x'.repeat(300)},b=${'y'.repeat(300)},c=z`,
        utf8Bytes(`ü=${pick(UNICODE)},ok=1,${pick(UNICODE)}=x`),
        `UPPER=1,=empty,novalue,k=,${'='.repeat(100)},k=v=w,ok=1`,
        printable(1 + int(2000)),
        `${'k=v,'.repeat(1500)}end=1`,
      ]);
      return {
        label: 'hostile tracestate',
        traceparent: `00-${t}-${s}-01`,
        tracestate: state,
        joins: { traceId: t, spanId: s, sampled: true },
        ids: [],
      };
    },
  ];
  return Array.from({ length: count }, (_, i) => kinds[i % kinds.length](i));
}
