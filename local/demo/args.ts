/**
 * The demo's command line (`npm start -- <options>`): a pure parser, so that every option and every
 * mistake is tested without starting anything.
 */
import type { DemoSetup } from "./persistence";

export interface DemoOptions {
  users: number;
  /** Simulated days from the start to the deadline. */
  deadlineDays: number;
  /** Simulated time per real time: 10,080 turns 14 days into 2 minutes. */
  acceleration: number;
  /** Share of simulator requests answered 429 or 5xx (half each). */
  faultRate: number;
  /** Peig operator mode (the default, as in a deployment: Peig has no public admin API); false with --api. */
  operator: boolean;
  autoApprove: boolean;
  reset: boolean;
  serve: boolean;
  verbose: boolean;
  /** Where Azurite's files, the simulators' state and the report go. */
  stateDir: string;
  /** Options the user typed (a resumed demo keeps the tenant and mode it started with). */
  given: Set<keyof DemoOptions>;
}

export type ParsedArgs = { kind: "run"; options: DemoOptions } | { kind: "help" } | { kind: "error"; message: string };

export const DEFAULT_OPTIONS: Omit<DemoOptions, "given"> = {
  users: 300,
  deadlineDays: 14,
  acceleration: 10_080,
  faultRate: 0,
  operator: true,
  autoApprove: false,
  reset: false,
  serve: false,
  verbose: false,
  stateDir: ".demo",
};

export const USAGE = `Usage: npm start -- [options]

Runs a whole migration locally: Azurite, the Graph and Peig simulators with a seeded tenant, and the
durable host on an accelerated clock. Ctrl-C stops; running it again resumes.

Options:
  --users N            users in the simulated tenant, 1 to 100000 (default 300; large tenants get as many
                       sender mailboxes as the mail plan needs)
  --deadline-days N    simulated days until the deadline (default 14)
  --acceleration F     simulated seconds per real second (default 10080: 14 days in 2 minutes)
  --fault-rate R       share of simulator requests answered 429/5xx, 0..0.5 (default 0)
  --operator           Peig operator mode (the default, as in a deployment): Peig has no admin API, so its
                       steps are tasks for the Peig admin, done in the Peig simulator's console
  --api                Peig api mode: the app drives the Peig simulator's admin API (docs/peig-admin-api.md)
  --auto-approve       play the people: approve, and do the Peig admin's steps in the Peig console, through
                       the e-mailed pages (the default when no terminal is attached: nobody could click the
                       links); without it the demo's clock pauses while it waits on a person
  --reset              delete the saved state and start over
  --serve              start the stack without a migration; print the home page, the Peig console, the key
                       and curl examples, then a line whenever a migration needs attention or waits on a person
  --state-dir DIR      where the state lives (default .demo)
  --verbose            print the host's activity log
  --help               this text`;

interface NumberOption {
  key: "users" | "deadlineDays" | "acceleration" | "faultRate";
  check: (n: number) => boolean;
  rule: string;
}

const NUMBER_OPTIONS: Record<string, NumberOption> = {
  "--users": {
    key: "users",
    check: (n) => Number.isInteger(n) && n >= 1 && n <= 100_000,
    rule: "a whole number from 1 to 100000",
  },
  "--deadline-days": {
    key: "deadlineDays",
    check: (n) => n > 0 && n <= 365,
    rule: "a number of days above 0 and at most 365",
  },
  "--acceleration": { key: "acceleration", check: (n) => n >= 1, rule: "a number of at least 1" },
  "--fault-rate": { key: "faultRate", check: (n) => n >= 0 && n <= 0.5, rule: "a number from 0 to 0.5" },
};

const FLAGS: Record<string, "autoApprove" | "reset" | "serve" | "verbose"> = {
  "--auto-approve": "autoApprove",
  "--reset": "reset",
  "--serve": "serve",
  "--verbose": "verbose",
};

export function parseDemoArgs(argv: readonly string[]): ParsedArgs {
  const options: DemoOptions = { ...DEFAULT_OPTIONS, given: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] =
      argv[i].startsWith("--") && argv[i].includes("=")
        ? [argv[i].slice(0, argv[i].indexOf("=")), argv[i].slice(argv[i].indexOf("=") + 1)]
        : [argv[i], undefined];
    if (name === "--help" || name === "-h") return { kind: "help" };
    if (name === "--operator" || name === "--api") {
      if (inline !== undefined) return { kind: "error", message: `${name} takes no value` };
      const operator = name === "--operator";
      if (options.given.has("operator") && options.operator !== operator)
        return { kind: "error", message: "--operator and --api pick opposite Peig modes: give one of them" };
      options.operator = operator;
      options.given.add("operator");
      continue;
    }
    const flag = FLAGS[name];
    if (flag) {
      if (inline !== undefined) return { kind: "error", message: `${name} takes no value` };
      options[flag] = true;
      options.given.add(flag);
      continue;
    }
    const numeric = NUMBER_OPTIONS[name];
    const takesValue = numeric || name === "--state-dir";
    if (!takesValue) return { kind: "error", message: `unknown option ${JSON.stringify(argv[i])}` };
    const value = inline ?? argv[++i];
    if (value === undefined || value === "") return { kind: "error", message: `${name} needs a value` };
    if (name === "--state-dir") {
      options.stateDir = value;
      options.given.add("stateDir");
      continue;
    }
    const n = Number(value);
    if (!Number.isFinite(n) || !numeric.check(n))
      return { kind: "error", message: `${name} must be ${numeric.rule}, got ${JSON.stringify(value)}` };
    options[numeric.key] = n;
    options.given.add(numeric.key);
  }
  if (options.serve && options.autoApprove)
    return { kind: "error", message: "--serve starts no migration, so there is nothing to --auto-approve" };
  return { kind: "run", options };
}

/** The tenant's seed: the same seed gives the same users, so a restart finds the directory it left. */
export const DEMO_SEED = 2026;

const SETUP_OPTIONS = {
  users: "--users",
  deadlineDays: "--deadline-days",
  operator: "--operator",
  faultRate: "--fault-rate",
} as const;

/**
 * A fresh demo takes the options given; a resumed one keeps the tenant, window, mode and fault rate it
 * started with, and names the options given now that it therefore ignores.
 */
export function chooseSetup(
  options: DemoOptions,
  previous: DemoSetup | undefined,
): { setup: DemoSetup; ignored: string[] } {
  if (!previous)
    return {
      setup: {
        users: options.users,
        seed: DEMO_SEED,
        deadlineDays: options.deadlineDays,
        operator: options.operator,
        faultRate: options.faultRate,
      },
      ignored: [],
    };
  const keys = Object.keys(SETUP_OPTIONS) as (keyof typeof SETUP_OPTIONS)[];
  const ignored = keys
    .filter((key) => options.given.has(key) && options[key] !== previous[key])
    .map((key) => (key === "operator" && !options.operator ? "--api" : SETUP_OPTIONS[key]));
  return { setup: previous, ignored };
}
