import {
  auditLogLine,
  formatLogLine,
  invocationLog,
  LOG_PREFIX,
  parseLogLine,
  withInvocationLogger,
  withoutAddresses,
  type MigrationLogLine,
} from "../../shared/migrationLog";

const line = (level: MigrationLogLine["level"]): MigrationLogLine => ({ migrationId: "m-1", event: "e", level });

describe("a migration's log line", () => {
  it("is the prefix and JSON that the alert queries parse back (substring(message, 15))", () => {
    const message = formatLogLine(line("information"));
    expect(LOG_PREFIX).toHaveLength(15);
    expect(JSON.parse(message.slice(15))).toEqual(line("information"));
    expect(parseLogLine(message)).toEqual(line("information"));
    expect(parseLogLine("something else")).toBeUndefined();
  });

  it("goes to the invocation's logger at its level, and outside an invocation to the fallback", async () => {
    const seen: string[] = [];
    const logger = {
      log: (m: unknown) => seen.push(`log ${String(m).slice(0, 14)}`),
      warn: () => seen.push("warn"),
      error: () => seen.push("error"),
    };
    const outside: MigrationLogLine[] = [];
    const log = invocationLog((l) => outside.push(l));
    await withInvocationLogger(logger, async () => {
      await Promise.resolve();
      log(line("information"));
      log(line("warning"));
      log(line("error"));
    });
    log(line("information"));
    expect(seen).toEqual(["log peig-migration", "warn", "error"]);
    expect(outside).toEqual([line("information")]);
  });

  it("keeps no e-mail address: one becomes (address), a list of them its length", () => {
    expect(
      withoutAddresses({ gate: "g", to: "a@b.c", assignees: ["a@b.c", "d@e.f"], n: 3, nested: { by: "x@y.z" } }),
    ).toEqual({ gate: "g", to: "(address)", assignees: 2, n: 3, nested: { by: "(address)" } });
  });

  it("from an audit entry: the action as event, the actor's role, warnings for what needs someone", () => {
    expect(
      auditLogLine({ migrationId: "m-1", actor: "approver:ann@contoso.com", action: "task.decided", details: {} }),
    ).toEqual({ migrationId: "m-1", event: "task.decided", level: "information", actor: "approver", details: {} });
    expect(auditLogLine({ migrationId: "m-1", actor: "system", action: "attention.needed" }).level).toBe("warning");
  });
});
