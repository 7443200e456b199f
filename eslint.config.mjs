// ESLint flat config. The orchestrations/ block enforces Durable Functions determinism: an
// orchestrator is replayed from history, so anything that differs between replays corrupts it.
import tseslint from "typescript-eslint";

const ioModules = [
  "fs",
  "fs/promises",
  "node:fs",
  "node:fs/promises",
  "http",
  "https",
  "node:http",
  "node:https",
  "net",
  "node:net",
  "child_process",
  "node:child_process",
  "@azure/data-tables",
  "@azure/identity",
  "@microsoft/microsoft-graph-client",
  "axios",
  "undici",
  "node-fetch",
];

export const determinismRules = {
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
  "no-restricted-imports": [
    "error",
    {
      paths: ioModules.map((name) => ({
        name,
        message: "Orchestrations must not do I/O: move this into an activity and call it with context.df.callActivity.",
      })),
      patterns: [
        {
          group: ["**/activities/**", "**/adapters/**", "**/local/**"],
          message: "Orchestrations must not import side-effecting code: call activities by name.",
        },
      ],
    },
  ],
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
