import { chooseSetup, DEFAULT_OPTIONS, DEMO_SEED, parseDemoArgs, type DemoOptions } from "../../local/demo/args";

function run(argv: string[]): DemoOptions {
  const parsed = parseDemoArgs(argv);
  if (parsed.kind !== "run") throw new Error(`expected options, got ${JSON.stringify(parsed)}`);
  return parsed.options;
}

describe("parseDemoArgs", () => {
  it("uses the defaults with no arguments: 300 users, 14 days, ×10,080, no faults, operator mode, waits for people", () => {
    const { given, ...options } = run([]);
    expect(options).toEqual(DEFAULT_OPTIONS);
    expect(options).toMatchObject({
      users: 300,
      deadlineDays: 14,
      acceleration: 10_080,
      faultRate: 0,
      operator: true,
      autoApprove: false,
      stateDir: ".demo",
    });
    expect(given.size).toBe(0);
  });

  it("reads every option, with the value after the name or after =", () => {
    const options = run([
      "--users",
      "40",
      "--deadline-days=3",
      "--acceleration",
      "500000",
      "--fault-rate",
      "0.1",
      "--operator",
      "--auto-approve",
      "--reset",
      "--verbose",
      "--state-dir",
      "/tmp/x",
    ]);
    expect(options).toMatchObject({
      users: 40,
      deadlineDays: 3,
      acceleration: 500_000,
      faultRate: 0.1,
      operator: true,
      autoApprove: true,
      reset: true,
      verbose: true,
      stateDir: "/tmp/x",
    });
    expect([...options.given].sort()).toEqual([
      "acceleration",
      "autoApprove",
      "deadlineDays",
      "faultRate",
      "operator",
      "reset",
      "stateDir",
      "users",
      "verbose",
    ]);
  });

  it("runs operator mode unless --api is given; --operator is still accepted", () => {
    expect(run([]).operator).toBe(true);
    expect(run(["--operator"]).operator).toBe(true);
    expect(run(["--api"])).toMatchObject({ operator: false, given: new Set(["operator"]) });
  });

  it("asks for help with --help or -h", () => {
    expect(parseDemoArgs(["--help"])).toEqual({ kind: "help" });
    expect(parseDemoArgs(["--users", "5", "-h"])).toEqual({ kind: "help" });
  });

  it.each([
    [["--frobnicate"], 'unknown option "--frobnicate"'],
    [["users"], 'unknown option "users"'],
    [["--users"], "--users needs a value"],
    [["--users", "ten"], '--users must be a whole number from 1 to 100000, got "ten"'],
    [["--users", "2.5"], "--users must be a whole number"],
    [["--fault-rate", "0.9"], "--fault-rate must be a number from 0 to 0.5"],
    [["--acceleration", "0.5"], "--acceleration must be a number of at least 1"],
    [["--deadline-days", "0"], "--deadline-days must be a number of days above 0"],
    [["--reset=yes"], "--reset takes no value"],
    [["--api=yes"], "--api takes no value"],
    [["--api", "--operator"], "--operator and --api pick opposite Peig modes"],
    [["--serve", "--auto-approve"], "nothing to --auto-approve"],
  ])("rejects %j with a message that names the problem", (argv, message) => {
    const parsed = parseDemoArgs(argv);
    expect(parsed.kind).toBe("error");
    expect(parsed.kind === "error" && parsed.message).toContain(message);
  });
});

describe("chooseSetup", () => {
  it("takes the options given for a fresh demo, with the fixed tenant seed", () => {
    expect(chooseSetup(run(["--users", "40", "--operator"]), undefined)).toEqual({
      setup: { users: 40, seed: DEMO_SEED, deadlineDays: 14, operator: true, faultRate: 0 },
      ignored: [],
    });
  });

  it("keeps a resumed demo's tenant and mode, and names the options it ignores", () => {
    const previous = { users: 300, seed: DEMO_SEED, deadlineDays: 14, operator: false, faultRate: 0 };
    expect(
      chooseSetup(run(["--users", "40", "--operator", "--deadline-days", "14", "--auto-approve"]), previous),
    ).toEqual({
      setup: previous,
      ignored: ["--users", "--operator"],
    });
    expect(chooseSetup(run(["--api"]), { ...previous, operator: true }).ignored).toEqual(["--api"]);
  });
});
