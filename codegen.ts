// GraphQL Code Generator: types the console's and the CLI's operations from schema.graphql (`npm run codegen`; test/codegen.test.ts fails when the output is stale).
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * The client preset in string mode: each operation becomes a `TypedDocumentString` (the text the
 * gateway receives, carrying its result and variables types), so neither client ships a GraphQL
 * runtime. Enums come out as `as const` objects: values at run time, no TypeScript `enum`.
 * Fragments are not masked: a fragment is a shared selection, not a component boundary here.
 */
const client = {
  preset: 'client',
  // No index.ts barrel: importers name the file that defines a thing.
  presetConfig: { fragmentMasking: false, skipIndexFile: true },
  config: {
    documentMode: 'string',
    enumType: 'const',
    useTypeImports: true,
    importExtension: '.js',
    // How each custom scalar arrives in JSON (and is sent back).
    scalars: {
      Date: 'string',
      DateTime: 'string',
      LocalTime: 'string',
      SafeInt: 'number',
      JSON: 'unknown',
      // The multipart request spec sends a file's variable as null and the file as a part mapped onto it.
      File: { input: 'null', output: 'never' },
    },
    strictScalars: true,
  },
} as const;

const config: CodegenConfig = {
  schema: 'schema.graphql',
  // Each client gets its own output: src/cli may not import console/, nor the console src/.
  generates: {
    'console/src/gql/': { ...client, documents: ['console/src/**/*.ts', '!console/src/gql/**'] },
    'src/cli/gql/': { ...client, documents: ['src/cli/**/*.ts', '!src/cli/gql/**'] },
  },
};

export default config;
