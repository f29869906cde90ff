// The shape of one LAKEQL_* setting and the parsers its entries use; a bad value is a ConfigError naming the variable.

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/**
 * Turns a variable's text into its value. `text` is the trimmed value when set, else the entry's
 * default, else undefined (a default written in parentheses describes what happens unset).
 */
export type Parse<T> = (text: string | undefined, name: string) => T;

/**
 * One row of SETTINGS. `default` is what the README shows; a default in parentheses is a
 * description ("(none)"), any other default is parsed like a value, so it is written only once.
 * Without `parse`, the value is the text as given (undefined when unset and described).
 */
export interface Setting<T = unknown> {
  default: string;
  doc: string;
  parse?: Parse<T>;
}

/** The value an entry yields: its parser's result, or the text itself. */
export type SettingValue<S> = S extends { parse: Parse<infer T> } ? T : string | undefined;

export type SettingValues<Table> = { -readonly [K in keyof Table]: SettingValue<Table[K]> };

/** A default in parentheses says what happens when unset; it is not a value. */
export function isDescribedDefault(text: string): boolean {
  return text.startsWith('(') && text.endsWith(')');
}

/** Reads every entry of `table` from `env`, in table order; the first bad value throws. */
export function readSettings<Table extends Record<string, Setting>>(
  table: Table,
  env: NodeJS.ProcessEnv,
): SettingValues<Table> {
  const values: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(table)) {
    const raw = env[name]?.trim();
    const text =
      raw !== undefined && raw !== '' ? raw : isDescribedDefault(setting.default) ? undefined : setting.default;
    values[name] = setting.parse ? setting.parse(text, name) : text;
  }
  return values as SettingValues<Table>;
}

function required(text: string | undefined, name: string): string {
  if (text === undefined) throw new ConfigError(name, 'is required');
  return text;
}

/** `"a", "b" or "c"`. */
function listed(words: readonly string[]): string {
  const quoted = words.map((w) => `"${w}"`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** A whole number in [min, max]. */
export function integer(min: number, max: number): Parse<number> {
  return (text, name) => {
    const value = required(text, name);
    if (!/^\d+$/.test(value)) throw new ConfigError(name, `expected a whole number, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw new ConfigError(name, `expected ${min} to ${max}, got ${n}`);
    return n;
  };
}

/** true/1/yes or false/0/no, any case; unset is false. */
export const flag: Parse<boolean> = (text, name) => {
  if (text === undefined || /^(false|0|no)$/i.test(text)) return false;
  if (/^(true|1|yes)$/i.test(text)) return true;
  throw new ConfigError(name, `expected true or false, got "${text}"`);
};

/** One of a fixed list of words, compared in lower case. */
export function oneOf<const W extends readonly string[]>(words: W): Parse<W[number]> {
  return (text, name) => {
    const value = required(text, name).toLowerCase();
    if (!words.includes(value)) throw new ConfigError(name, `expected ${listed(words)}, got "${text}"`);
    return value as W[number];
  };
}

/** Text matching `pattern` when set; `expected` says what was wanted (the value is not echoed when `secret`). */
export function matching(
  pattern: RegExp,
  expected: string,
  options: { secret?: boolean } = {},
): Parse<string | undefined> {
  return (text, name) => {
    if (text !== undefined && !pattern.test(text))
      throw new ConfigError(name, options.secret ? `expected ${expected}` : `expected ${expected}, got "${text}"`);
    return text;
  };
}

/** A parser of another module (API keys, rate limits) whose plain Error becomes a ConfigError naming the variable. */
export function via<T>(parse: (text: string | undefined) => T): Parse<T> {
  return (text, name) => {
    try {
      return parse(text);
    } catch (error) {
      // Some parsers already start their messages with the variable's name.
      throw new ConfigError(name, (error as Error).message.replace(new RegExp(`^${name}: `), ''));
    }
  };
}

/** Text as given, when the entry's default is a value (so it is never undefined). */
export const text: Parse<string> = required;
