import type { CodegenConfig } from '@graphql-codegen/cli';

// Types for every operation in src/, from the server's SDL (../schema.graphql).
const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**'],
  generates: {
    'src/gql/types.ts': {
      plugins: ['typescript-operations'],
      config: {
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
        scalars: { JSON: 'Record<string, unknown>' },
        skipTypename: true,
        useTypeImports: true,
      },
    },
  },
  hooks: {},
};

export default config;
