// ESLint flat config. The orchestrations/ block enforces Durable Functions determinism: an
// orchestrator is replayed from history, so anything that differs between replays corrupts it.
import tseslint from "typescript-eslint";

/**
 * What an orchestration may import: the allowlist below, and nothing else (no I/O module, no adapter, no
 * store, nothing that might read the clock or the network while it is replayed). Type-only imports are
 * erased, so durable-functions' types and the activities' types (the contract `call` derives from them) are
 * allowed as types; orchestrations/index.ts alone registers, so it alone imports durable-functions' values.
 */
const orchestrationImports = ({ registers }) => [
  "error",
  {
    patterns: [
      {
        regex: String.raw`^(?!(durable-functions|\.\./activities|\.\./shared/workflow|\.\./shared/versions|\.\./shared/domain/[\w.-]+|\./[\w.-]+)$)`,
        message:
          "Orchestrations are replayed and must not do I/O: they import only durable-functions types, shared/workflow, shared/domain/*, shared/versions, the activities' types and their own folder. To use anything else, move this into an activity and call it with call().",
      },
      {
        regex: String.raw`^\.\./activities$`,
        allowTypeImports: true,
        message: "Orchestrations call activities by name with call(): import only their types (import type).",
      },
      ...(registers
        ? []
        : [
            {
              regex: "^durable-functions$",
              allowTypeImports: true,
              message:
                "Orchestrations import only durable-functions' types (import type); orchestrations/index.ts registers them.",
            },
          ]),
    ],
  },
];

const determinismRules = {
  "no-restricted-syntax": [
    "error",
    {
      selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
      message: "Orchestrations are replayed: use context.df.currentUtcDateTime instead of Date.now().",
    },
    {
      selector: "NewExpression[callee.name='Date'][arguments.length=0]",
      message: "Orchestrations are replayed: use context.df.currentUtcDateTime instead of new Date().",
    },
    {
      selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
      message:
        "Orchestrations are replayed: use context.df.newGuid() for ids, or pass random values in from an activity.",
    },
    {
      selector: "CallExpression[callee.name=/^(setTimeout|setInterval|setImmediate)$/]",
      message: "Orchestrations must not wait on Node timers: use context.df.createTimer().",
    },
    {
      selector: "CallExpression[callee.name='fetch']",
      message: "Orchestrations must not do I/O: call an activity (context.df.callActivity).",
    },
    {
      selector: "MemberExpression[object.name='process'][property.name='env']",
      message:
        "Orchestrations must not read the environment (it can change between replays): pass settings in the input.",
    },
    {
      selector: "CallExpression[callee.name='require']",
      message: "Orchestrations must not load modules dynamically: import pure modules from shared/.",
    },
  ],
  "no-restricted-imports": orchestrationImports({ registers: false }),
};

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "dist/**",
      ".package/**",
      "artifacts/**",
      "coverage/**",
      ".azurite/**",
      ".demo/**",
      "test/lint/fixtures/**",
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  { files: ["orchestrations/**/*.ts"], rules: determinismRules },
  { files: ["orchestrations/index.ts"], rules: { "no-restricted-imports": orchestrationImports({ registers: true }) } },
  {
    // Use cases know neither HTTP nor the Durable client: the functions/ layer maps requests and results.
    files: ["app/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: ["@azure/functions", "durable-functions"].map((name) => ({
            name,
            message: "app/ is plain use cases: take what you need as a parameter (app/ports.ts).",
          })),
          patterns: [{ group: ["**/functions/**"], message: "app/ must not depend on the HTTP layer." }],
        },
      ],
    },
  },
  {
    files: ["**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        process: "readonly",
        console: "readonly",
        __dirname: "readonly",
      },
    },
  },
);
