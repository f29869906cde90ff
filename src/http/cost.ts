// Estimates how much work an operation asks for before it runs: fields × page sizes, with variables and defaults resolved.
import {
  getOperationAST,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * Why not graphql-armor's cost limit: it reads `first` only from literals, so `symbols(first: $n)`
 * and `symbols` (default 100) cost as much as `first: 1`. Here `first` comes from the literal, the
 * variable, the variable's default or the argument's default, in that order; `last` counts as `first`.
 *
 * Cost = Σ over fields of multiplier × (1 + cost of the field's selection), where a list field's
 * multiplier is its own `first`, else the page size its parent connection asked for (`edges`,
 * `nodes`), else UNPAGED_LIST_ESTIMATE for lists without paging (a symbol's years, its tick files).
 * Introspection (`__schema`, `__type`, `__typename`) is free.
 *
 * A field may describe its own paging in `extensions.cost` (see FieldCost): bars accept pages of
 * 10,000, far above LAKEQL_MAX_PAGE_SIZE, and a minute bar costs more than a daily one.
 */
export const UNPAGED_LIST_ESTIMATE = 10;

/** What a field's `extensions.cost` may say; read by shape, as src/http does not import the schema. */
export interface FieldCost {
  /** The field's own page limit, used instead of CostInput.maxPageSize. */
  maxPageSize?: number;
  /** The page size when neither `first` nor `last` is given, for fields whose `first` has no default (it would hide a `last`). */
  defaultPageSize?: number;
  /** Each item counts `weights[value of this argument]` (1 when absent). */
  weightArgument?: string;
  weights?: Record<string, number>;
  /**
   * When this list argument is given, the page holds at most as many items as the list (fewer when
   * `first` is smaller): `symbols(tickers: [10 tickers]) { nodes { bars } }` costs 10 bars pages.
   */
  listArgument?: string;
  /**
   * Each item also counts the integer value of this argument (`every` of bars: a 5-minute bar
   * folds five minute rows), at most multiplierMax: a larger value is refused by the field with
   * BAD_USER_INPUT, which says more than a cost error would.
   */
  multiplierArgument?: string;
  multiplierMax?: number;
  /** Highest weight × multiplier of one item. */
  maxItemWeight?: number;
}

export interface CostInput {
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  /**
   * Page sizes above this count as this: the field refuses them with BAD_USER_INPUT, which
   * says more than a cost error would (LAKEQL_MAX_PAGE_SIZE).
   */
  maxPageSize?: number;
}

export function estimateCost(
  schema: GraphQLSchema,
  { document, operationName, variables, maxPageSize = Infinity }: CostInput,
): number {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return 0;
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  // Variables as sent, falling back to the operation's own defaults; coercion comes later, at execution.
  const values: Record<string, unknown> = {};
  for (const v of operation.variableDefinitions ?? []) {
    const sent = variables?.[v.variable.name.value];
    values[v.variable.name.value] = sent !== undefined ? sent : v.defaultValue && literal(v.defaultValue);
  }

  const cost = (
    set: SelectionSetNode,
    type: GraphQLNamedType,
    pageSize: number | undefined,
    seen: ReadonlySet<string>,
  ): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        if (on) total += cost(selection.selectionSet, on, pageSize, seen);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        const on = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment && on && !seen.has(fragment.name.value)) {
          total += cost(fragment.selectionSet, on, pageSize, new Set([...seen, fragment.name.value]));
        }
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith('__')) continue;
      const field =
        'getFields' in type ? (type.getFields() as Record<string, GraphQLField<unknown, unknown>>)[name] : undefined;
      if (!field) continue;
      const own = (field.extensions as { cost?: FieldCost } | undefined)?.cost;
      const args = selection.arguments ?? [];
      let pages = firstOf(field, args, values, own?.maxPageSize ?? maxPageSize, own?.defaultPageSize);
      const listed = own?.listArgument ? listLength(args, own.listArgument, values) : undefined;
      if (listed !== undefined) pages = Math.min(pages ?? listed, listed);
      const item = Math.min(
        weightOf(field, own, args, values) * multiplierOf(field, own, args, values),
        own?.maxItemWeight ?? Infinity,
      );
      const first = pages === undefined ? undefined : pages * item;
      const list = isList(field.type);
      // A paged list counts its own `first`; a connection passes its `first` to its `edges`/`nodes`.
      const multiplier = list ? (first ?? pageSize ?? UNPAGED_LIST_ESTIMATE) : 1;
      const named = schema.getType(namedTypeName(field.type));
      const inner =
        selection.selectionSet && named ? cost(selection.selectionSet, named, list ? undefined : first, seen) : 0;
      total += multiplier * (1 + inner);
    }
    return total;
  };
  return Math.ceil(cost(operation.selectionSet, root, undefined, new Set()));
}

/** The per-item weight a field's `extensions.cost` gives for the argument's value (literal, variable or default). */
function weightOf(
  field: GraphQLField<unknown, unknown>,
  own: FieldCost | undefined,
  args: readonly { name: { value: string }; value: ValueNode }[],
  values: Record<string, unknown>,
): number {
  if (!own?.weightArgument || !own.weights) return 1;
  const node = args.find((a) => a.name.value === own.weightArgument)?.value;
  let value: unknown = field.args.find((a) => a.name === own.weightArgument)?.defaultValue;
  if (node?.kind === Kind.VARIABLE) value = values[node.name.value] ?? value;
  else if (node?.kind === Kind.ENUM || node?.kind === Kind.STRING) value = node.value;
  const weight = typeof value === 'string' ? own.weights[value] : undefined;
  // An unknown value is refused at validation anyway; counted at the heaviest weight until then.
  return weight ?? Math.max(1, ...Object.values(own.weights));
}

/** The per-item multiplier a field's `extensions.cost` names (literal, variable or default), 1 to multiplierMax. */
function multiplierOf(
  field: GraphQLField<unknown, unknown>,
  own: FieldCost | undefined,
  args: readonly { name: { value: string }; value: ValueNode }[],
  values: Record<string, unknown>,
): number {
  if (!own?.multiplierArgument) return 1;
  const node = args.find((a) => a.name.value === own.multiplierArgument)?.value;
  let value: unknown = field.args.find((a) => a.name === own.multiplierArgument)?.defaultValue;
  if (node?.kind === Kind.VARIABLE) value = values[node.name.value] ?? value;
  else if (node) value = literal(node);
  const n = Number(value);
  return Number.isFinite(n) && n >= 1 ? Math.min(Math.floor(n), own.multiplierMax ?? Infinity) : 1;
}

/*
 * Types are read through their printed form ("[Bar!]!"), not graphql's isListType: under test
 * runners graphql can load twice (ESM and CJS), and its instanceof checks then throw.
 */
function isList(type: GraphQLType): boolean {
  return String(type).replace(/!$/, '').startsWith('[');
}

function namedTypeName(type: GraphQLType): string {
  return String(type).replace(/[[\]!]/g, '');
}

/** The page size a field asks for through `first` or `last` (backward pages cost as forward ones), when it has either. */
function firstOf(
  field: GraphQLField<unknown, unknown>,
  args: readonly { name: { value: string }; value: ValueNode }[],
  values: Record<string, unknown>,
  max: number,
  fallback?: number,
): number | undefined {
  const sizes = ['first', 'last'].map((name) => pageArgument(field, args, values, name));
  if (sizes.every((s) => s === NO_ARGUMENT)) return undefined;
  const given = sizes.filter((s) => s !== NO_ARGUMENT && s !== undefined && s !== null);
  const n = given.length > 0 ? Math.max(...given.map(Number)) : Number(fallback);
  // A page size the field will refuse anyway (negative, not a number) costs what one item does.
  return Number.isFinite(n) && n >= 1 ? Math.min(Math.floor(n), max) : 1;
}

const NO_ARGUMENT = Symbol('no such argument');

/** An argument's value from the literal, the variable or the argument's default; NO_ARGUMENT when the field has no such argument. */
function pageArgument(
  field: GraphQLField<unknown, unknown>,
  args: readonly { name: { value: string }; value: ValueNode }[],
  values: Record<string, unknown>,
  name: string,
): unknown {
  const definition = field.args.find((a) => a.name === name);
  if (!definition) return NO_ARGUMENT;
  const node = args.find((a) => a.name.value === name)?.value;
  let value: unknown = definition.defaultValue;
  if (node?.kind === Kind.VARIABLE) value = values[node.name.value] ?? definition.defaultValue;
  else if (node?.kind === Kind.INT) value = Number(node.value);
  else if (node) value = literal(node);
  return value;
}

/** Items of a list argument as sent (literal or variable); a single value counts one, as input coercion makes it a list of one. */
function listLength(
  args: readonly { name: { value: string }; value: ValueNode }[],
  name: string,
  values: Record<string, unknown>,
): number | undefined {
  const node = args.find((a) => a.name.value === name)?.value;
  if (!node || node.kind === Kind.NULL) return undefined;
  if (node.kind === Kind.LIST) return node.values.length;
  if (node.kind !== Kind.VARIABLE) return 1;
  const value = values[node.name.value];
  if (value === null || value === undefined) return undefined;
  return Array.isArray(value) ? value.length : 1;
}

function literal(node: ValueNode): unknown {
  if (node.kind === Kind.ENUM || node.kind === Kind.STRING) return node.value;
  return node.kind === Kind.INT || node.kind === Kind.FLOAT ? Number(node.value) : undefined;
}
