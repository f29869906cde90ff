// graphql-armor's static limits (depth, aliases, directives, tokens) and hidden field suggestions, with typed error codes.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface ArmorLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
}

/**
 * Armor throws plain GraphQLErrors, which yoga would answer with HTTP 200 and no code; clients
 * get a code to tell "too big" from "wrong", and a 400 like any other refused document.
 */
const tag = (limit: string) => (_context: unknown, error: GraphQLError) => {
  Object.assign(error.extensions as Record<string, unknown>, {
    code: 'QUERY_LIMIT_EXCEEDED',
    limit,
    http: { status: 400 },
  });
};

/** Suggestions armor's pattern misses ("Did you mean the enum value …?"). */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

export function armorPlugins(limits: ArmorLimits): Plugin[] {
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth, onReject: [tag('depth')] },
    maxAliases: { n: limits.maxAliases, onReject: [tag('aliases')] },
    maxDirectives: { n: limits.maxDirectives, onReject: [tag('directives')] },
    maxTokens: { n: limits.maxTokens, onReject: [tag('tokens')] },
    // Replaced by cost.ts, which also counts page sizes given through variables and defaults.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: true, mask: '' },
  }) as Plugin;
  // The cause too: error masking may answer with a wrapped error's originalError.
  const hide = (error: GraphQLError): GraphQLError => {
    for (let e: Error | undefined = error; e; e = (e as GraphQLError).originalError ?? undefined) {
      (e as { message: string }).message = e.message.replace(SUGGESTION, '').trim();
    }
    return error;
  };
  const hideSuggestions: Plugin = {
    onValidate:
      () =>
      ({ valid, result, setResult }) => {
        if (!valid) setResult(result.map((e) => hide(e as GraphQLError)));
      },
    // Variables are coerced at execution, and their enum errors carry suggestions too.
    onExecute: () => ({
      onExecuteDone: ({ result }) => {
        if ('errors' in result && result.errors) result.errors.forEach((e) => hide(e as GraphQLError));
      },
    }),
  };
  return [armor, hideSuggestions];
}
