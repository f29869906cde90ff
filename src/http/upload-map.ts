// The `operations` and `map` fields of a GraphQL multipart request: parsed, each map path checked against the operation's File variables.
import {
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  isScalarType,
  parse,
  typeFromAST,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/** Most files one request may carry, and most places one file may be put. */
export const MAX_FILES = 100;
const MAX_PATHS_PER_FILE = 100;
const MAX_DEPTH = 16;
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A malformed `operations` or `map` field: the request is answered 400 BAD_REQUEST with this message. */
export class UploadMapError extends Error {}

export interface PlaceOptions {
  /** The served schema; without it (not yet known) paths are checked for shape only. */
  schema?: GraphQLSchema;
  /** Name of the scalar a file may be put in. */
  fileScalar: string;
  /** graphql-armor's token cap (LAKEQL_MAX_TOKENS), so parsing here costs no more than yoga's own parse. */
  maxTokens: number;
}

/** The `operations` field: one operation object (batching is not served). */
export function parseOperations(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UploadMapError('the multipart field "operations" is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new UploadMapError('the multipart field "operations" must be a JSON object with "query" and "variables"');
  return value as Record<string, unknown>;
}

/**
 * Validates `map` ({ field: ["variables.x", ...] }) and writes `makeFile(field).file` at each path of
 * `operations`. Every path must lead to a variable the operation declares with the File scalar
 * (inside lists and input objects as its type says), so a file never reaches a String and no
 * path can touch a prototype.
 */
export function placeFiles<T extends { file: unknown }>(
  operations: Record<string, unknown>,
  mapText: string,
  options: PlaceOptions,
  makeFile: (field: string) => T,
): Map<string, T> {
  let map: unknown;
  try {
    map = JSON.parse(mapText);
  } catch {
    throw new UploadMapError('the multipart field "map" is not valid JSON');
  }
  if (!map || typeof map !== 'object' || Array.isArray(map))
    throw new UploadMapError('the multipart field "map" must be a JSON object of file field names to arrays of paths');
  const entries = Object.entries(map);
  if (entries.length > MAX_FILES)
    throw new UploadMapError(`"map" names ${entries.length} files; at most ${MAX_FILES} are accepted`);
  const operation = operationOf(operations, options);
  if (operations.variables === undefined || operations.variables === null) operations.variables = {};
  if (typeof operations.variables !== 'object' || Array.isArray(operations.variables))
    throw new UploadMapError('"variables" in "operations" must be an object');
  const files = new Map<string, T>();
  for (const [field, paths] of entries) {
    if (
      !Array.isArray(paths) ||
      paths.length === 0 ||
      paths.length > MAX_PATHS_PER_FILE ||
      !paths.every((p) => typeof p === 'string')
    ) {
      throw new UploadMapError(
        `"map" entry "${clip(field)}" must be an array of 1 to ${MAX_PATHS_PER_FILE} path strings`,
      );
    }
    const file = makeFile(field);
    files.set(field, file);
    for (const path of paths as string[]) {
      const keys = path.split('.');
      // Short paths and small list indexes: "variables.f.999999" would make a million-element list for coercion to walk.
      if (
        keys[0] !== 'variables' ||
        keys.length < 2 ||
        keys.length > MAX_DEPTH ||
        keys.some((k) => k === '' || UNSAFE_KEYS.has(k) || /^\d{4,}$/.test(k))
      ) {
        throw new UploadMapError(
          `"map" path "${clip(path)}" must look like "variables.name" (or "variables.list.0", "variables.input.field"), at most ${MAX_DEPTH} parts, list indexes below 1000`,
        );
      }
      if (operation && options.schema)
        checkFileType(operation, options.schema, keys.slice(1), path, options.fileScalar);
      put(operations.variables as Record<string, unknown>, keys.slice(1), file.file);
    }
  }
  return files;
}

/** The operation the request names, when its query parses; otherwise yoga reports the query's own error later. */
function operationOf(operations: Record<string, unknown>, options: PlaceOptions): OperationDefinitionNode | undefined {
  if (typeof operations.query !== 'string' || !options.schema) return undefined;
  let document: DocumentNode;
  try {
    document = parse(operations.query, { maxTokens: options.maxTokens, noLocation: true });
  } catch {
    return undefined;
  }
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  const name = typeof operations.operationName === 'string' ? operations.operationName : undefined;
  return name ? ops.find((o) => o.name?.value === name) : ops.length === 1 ? ops[0] : undefined;
}

function checkFileType(
  operation: OperationDefinitionNode,
  schema: GraphQLSchema,
  keys: string[],
  path: string,
  fileScalar: string,
): void {
  const [name, ...rest] = keys;
  const definition = operation.variableDefinitions?.find((v) => v.variable.name.value === name);
  const refuse = (why: string) =>
    new UploadMapError(
      `"map" path "${clip(path)}" ${why}; files go only where the operation declares the ${fileScalar} type`,
    );
  if (!definition) throw refuse(`names $${clip(name)}, which the operation does not declare`);
  let type = typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined;
  for (const key of rest) {
    const nullable = type && getNullableType(type);
    if (isListType(nullable) && /^\d+$/.test(key)) type = nullable.ofType as GraphQLInputType;
    else if (isInputObjectType(nullable) && Object.hasOwn(nullable.getFields(), key))
      type = nullable.getFields()[key].type;
    else throw refuse(`goes through "${clip(key)}", which the variable's type does not have`);
  }
  const target = type && getNullableType(type);
  if (
    !target ||
    isListType(target) ||
    !isScalarType(getNamedType(target)) ||
    getNamedType(target)!.name !== fileScalar
  ) {
    throw refuse(`points at a value of type ${type ? String(type) : 'unknown'}`);
  }
}

/** Writes `value` at `keys` below `root`, creating arrays for numeric keys and objects otherwise. */
function put(root: Record<string, unknown>, keys: string[], value: unknown): void {
  let at = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = at[keys[i]];
    if (next === null || typeof next !== 'object') at[keys[i]] = /^\d+$/.test(keys[i + 1]) ? [] : {};
    at = at[keys[i]] as Record<string, unknown>;
  }
  at[keys[keys.length - 1]] = value;
}

/** User text echoed in a message, kept short. */
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
