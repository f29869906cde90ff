// Parquet footer (FileMetaData) decoded into the few facts lakeql needs: schema, row groups, byte ranges, statistics.
import { readStruct, ThriftError, type ThriftStruct, type ThriftValue } from './thrift.js';

/** Field ids below are those of parquet-format's parquet.thrift; each struct lists the ones we read. */
const PHYSICAL = [
  'BOOLEAN',
  'INT32',
  'INT64',
  'INT96',
  'FLOAT',
  'DOUBLE',
  'BYTE_ARRAY',
  'FIXED_LEN_BYTE_ARRAY',
] as const;
export type PhysicalType = (typeof PHYSICAL)[number];
const CODECS = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'LZO', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW'] as const;

/** What a leaf column holds, from its physical type plus logical (or legacy converted) annotation. */
export type LogicalKind =
  | { kind: 'none' }
  | { kind: 'string' }
  | { kind: 'date' }
  | { kind: 'timestamp'; unit: 'MILLIS' | 'MICROS' | 'NANOS'; utc: boolean }
  | { kind: 'time' }
  | { kind: 'decimal'; scale: number; precision: number }
  | { kind: 'integer'; bits: number; signed: boolean }
  | { kind: 'other'; name: string };

export interface FooterColumn {
  /** Dotted path for nested leaves; a plain name for the flat files bars live in. */
  name: string;
  physical: PhysicalType;
  logical: LogicalKind;
  repeated: boolean;
  /** Depth 1 = a top-level column. */
  depth: number;
  /** Human-readable type, e.g. `DOUBLE`, `DECIMAL(18,4)`, `TIMESTAMP(MILLIS,UTC)`. */
  type: string;
}

export interface ColumnChunk {
  /** Byte range `[start, end)` of the chunk's pages in the file. */
  start: number;
  end: number;
  codec: string;
  min?: Uint8Array;
  max?: Uint8Array;
  nullCount?: number;
}

export interface RowGroup {
  numRows: number;
  /** Same order as `Footer.columns`. */
  chunks: ColumnChunk[];
}

export interface Footer {
  numRows: number;
  columns: FooterColumn[];
  rowGroups: RowGroup[];
  createdBy?: string;
}

/** Decodes the Thrift FileMetaData; throws ThriftError (or a plain Error) on anything malformed. */
export function parseFooter(metadata: Uint8Array): Footer {
  const { value: file } = readStruct(metadata);
  const schema = list(file.get(2)).map(asStruct);
  if (schema.length < 2) throw new ThriftError('the schema has no columns');
  const columns = leaves(schema);
  const rowGroups = list(file.get(4)).map((g) => rowGroup(asStruct(g), columns.length));
  return { numRows: int(file.get(3)), columns, rowGroups, createdBy: text(file.get(6)) };
}

/** Walks the depth-first schema list (root first) and keeps the leaves, with their dotted paths. */
function leaves(schema: ThriftStruct[]): FooterColumn[] {
  const out: FooterColumn[] = [];
  let i = 1;
  const walk = (prefix: string, depth: number, repeatedAbove: boolean): void => {
    const element = schema[i++];
    if (!element) throw new ThriftError('schema ends before its declared children');
    const name = prefix + (text(element.get(4)) ?? '');
    const repeated = repeatedAbove || element.get(3) === 2;
    const children = element.has(5) ? int(element.get(5)) : 0;
    if (children > 0) {
      for (let c = 0; c < children; c++) walk(`${name}.`, depth + 1, repeated);
      return;
    }
    const physical = PHYSICAL[int(element.get(1))];
    if (!physical) throw new ThriftError(`column ${name} has an unknown physical type`);
    const logical = logicalKind(element);
    out.push({ name, physical, logical, repeated, depth, type: typeName(physical, logical, element) });
  };
  const rootChildren = int(schema[0].get(5));
  for (let c = 0; c < rootChildren; c++) walk('', 1, false);
  return out;
}

function logicalKind(element: ThriftStruct): LogicalKind {
  const logical = element.get(10);
  if (logical instanceof Map && logical.size > 0) {
    const [[id, body]] = [...(logical as ThriftStruct)];
    const s = body instanceof Map ? (body as ThriftStruct) : new Map<number, ThriftValue>();
    switch (id) {
      case 1:
        return { kind: 'string' };
      case 5:
        return { kind: 'decimal', scale: int(s.get(1) ?? 0), precision: int(s.get(2) ?? 0) };
      case 6:
        return { kind: 'date' };
      case 7:
        return { kind: 'time' };
      case 8: {
        const unit = asStruct(s.get(2) ?? new Map());
        const unitName = unit.has(1) ? 'MILLIS' : unit.has(3) ? 'NANOS' : 'MICROS';
        return { kind: 'timestamp', unit: unitName, utc: s.get(1) === true };
      }
      case 10:
        return { kind: 'integer', bits: int(s.get(1) ?? 64), signed: s.get(2) !== false };
      case 4:
      case 12:
        return { kind: 'string' }; // ENUM and JSON are UTF-8 text too
      default:
        return { kind: 'other', name: `LOGICAL_${id}` };
    }
  }
  // Legacy converted types, still written by older pandas/Spark versions.
  const converted = element.get(6);
  if (typeof converted !== 'number') return { kind: 'none' };
  if (converted === 0 || converted === 4 || converted === 19) return { kind: 'string' };
  if (converted === 5) return { kind: 'decimal', scale: int(element.get(7) ?? 0), precision: int(element.get(8) ?? 0) };
  if (converted === 6) return { kind: 'date' };
  if (converted === 7 || converted === 8) return { kind: 'time' };
  // Legacy timestamps carry no zone flag; the spec's reading of them is "adjusted to UTC".
  if (converted === 9) return { kind: 'timestamp', unit: 'MILLIS', utc: true };
  if (converted === 10) return { kind: 'timestamp', unit: 'MICROS', utc: true };
  if (converted >= 11 && converted <= 18) {
    const bits = [8, 16, 32, 64][(converted - 11) % 4];
    return { kind: 'integer', bits, signed: converted >= 15 };
  }
  return { kind: 'other', name: `CONVERTED_${converted}` };
}

function typeName(physical: PhysicalType, logical: LogicalKind, element: ThriftStruct): string {
  switch (logical.kind) {
    case 'string':
      return 'STRING';
    case 'date':
      return 'DATE';
    case 'time':
      return 'TIME';
    case 'timestamp':
      return `TIMESTAMP(${logical.unit}${logical.utc ? ',UTC' : ''})`;
    case 'decimal':
      return `DECIMAL(${logical.precision},${logical.scale})`;
    case 'integer':
      return `${logical.signed ? '' : 'U'}INT${logical.bits}`;
    case 'other':
      return `${physical}(${logical.name})`;
    default:
      return physical === 'FIXED_LEN_BYTE_ARRAY' ? `${physical}(${int(element.get(2) ?? 0)})` : physical;
  }
}

function rowGroup(group: ThriftStruct, columnCount: number): RowGroup {
  const chunks = list(group.get(1)).map((c) => chunk(asStruct(c)));
  if (chunks.length !== columnCount)
    throw new ThriftError(`a row group has ${chunks.length} column chunks for ${columnCount} columns`);
  return { numRows: int(group.get(3)), chunks };
}

function chunk(column: ThriftStruct): ColumnChunk {
  const meta = column.get(3);
  if (!(meta instanceof Map)) throw new ThriftError('a column chunk has no metadata');
  const m = meta as ThriftStruct;
  const dataPage = int(m.get(9));
  const dictionaryPage = m.has(11) ? int(m.get(11)) : undefined;
  // Some writers record dictionary_page_offset 0 when there is none; a dictionary always precedes its data pages.
  const start =
    dictionaryPage !== undefined && dictionaryPage > 0 && dictionaryPage < dataPage ? dictionaryPage : dataPage;
  const stats = m.get(12) instanceof Map ? (m.get(12) as ThriftStruct) : undefined;
  return {
    start,
    end: start + int(m.get(7)),
    codec: CODECS[int(m.get(4))] ?? `CODEC_${String(m.get(4))}`,
    // min_value/max_value (5, 6) have the right sort order; the deprecated min/max (2, 1) are a fallback.
    min: bytesOf(stats?.get(6) ?? stats?.get(2)),
    max: bytesOf(stats?.get(5) ?? stats?.get(1)),
    nullCount: typeof stats?.get(3) === 'number' ? (stats.get(3) as number) : undefined,
  };
}

function int(v: ThriftValue | undefined): number {
  if (typeof v !== 'number') throw new ThriftError(`expected a number in the footer, got ${typeof v}`);
  return v;
}

function list(v: ThriftValue | undefined): ThriftValue[] {
  if (!Array.isArray(v)) throw new ThriftError('expected a list in the footer');
  return v;
}

function asStruct(v: ThriftValue | undefined): ThriftStruct {
  if (!(v instanceof Map)) throw new ThriftError('expected a struct in the footer');
  return v as ThriftStruct;
}

function text(v: ThriftValue | undefined): string | undefined {
  return v instanceof Uint8Array ? new TextDecoder().decode(v) : undefined;
}

function bytesOf(v: ThriftValue | undefined): Uint8Array | undefined {
  return v instanceof Uint8Array ? v : undefined;
}
