/**
 * infra/app/alerts.bicep as Azure would receive it (the compiled main template): three log alert rules that query
 * what the app really emits, an action group mailing the deploy-time admin addresses, and the workbook. The
 * events the queries name are ones the app logs (shared/migrationLog.ts: every audit action, and activity.failed).
 */
import { readdirSync, readFileSync } from "fs";
import { join, resolve } from "path";
import type { ArmResource, ArmTemplate } from "../../scripts/bicep";
import { LOG_PREFIX } from "../../shared/migrationLog";
import { compiledMain, evaluate, mainScope, moduleDeployment, moduleResources, moduleScope, Unresolved } from "./arm";

const root = resolve(__dirname, "../..");
const describeCompiled = compiledMain ? describe : describe.skip;
const template = compiledMain as ArmTemplate;

const scope = () => moduleScope(template, "alerts", mainScope(template, { alertEmails: "a@contoso.com" }));
const resources = (type: string) => moduleResources(template, "alerts", type);
const properties = (r: ArmResource) => evaluate(r.properties, scope()) as Record<string, unknown>;

/** Every string the app's own code gives as an audit action or a log event. */
const appSource = ["activities", "app", "functions", "shared"]
  .flatMap((dir) =>
    readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
      .map((f) => readFileSync(join(root, dir, f), "utf8")),
  )
  .join("\n");
const loggedByTheApp = (event: string) =>
  event.startsWith("phase.") ? appSource.includes("action: `phase.${") : appSource.includes(`"${event}"`);

/** The event names a query filters on (`event == "x"`, `event in ("x", "y")`). */
function eventsIn(query: string): string[] {
  const single = [...query.matchAll(/event == "([^"]+)"/g)].map((m) => m[1]);
  const lists = [...query.matchAll(/event in \(([^)]*)\)/g)].flatMap((m) =>
    [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]),
  );
  return [...single, ...lists];
}

describeCompiled("infra/ watches the app: alert rules, their action group and a workbook", () => {
  const rules = () =>
    Object.fromEntries(
      resources("Microsoft.Insights/scheduledQueryRules").map((r) => {
        const p = properties(r);
        return [p.displayName as string, p];
      }),
    );
  const queryOf = (rule: Record<string, unknown>) =>
    ((rule.criteria as { allOf: { query: string }[] }).allOf[0].query as string).trim();

  it("has a rule for a migration that needs attention, a task past its expiry and a failing app", () => {
    expect(Object.keys(rules()).sort()).toEqual([
      "A Peig migration needs attention",
      "A Peig migration task waits past its expiry",
      "The Peig migration function app fails repeatedly",
    ]);
    for (const rule of Object.values(rules())) {
      expect(rule.enabled).toBe(true);
      expect(String((rule.scopes as Unresolved[])[0]?.text ?? rule.scopes)).toContain("Microsoft.Insights/components");
      const groups = (rule.actions as { actionGroups: Unresolved[] }).actionGroups;
      expect(groups.map((g) => g.text).join()).toContain("Microsoft.Insights/actionGroups");
    }
  });

  it("reads the app's own log lines, split per migration, on events the app logs", () => {
    for (const name of ["A Peig migration needs attention", "A Peig migration task waits past its expiry"]) {
      const rule = rules()[name];
      const query = queryOf(rule);
      expect(query).toContain(`where message startswith "${LOG_PREFIX}"`);
      expect(query).toContain(`substring(message, ${LOG_PREFIX.length})`);
      expect((rule.criteria as { allOf: { dimensions: { name: string }[] }[] }).allOf[0].dimensions[0].name).toBe(
        "migrationId",
      );
      const events = eventsIn(query);
      expect(events.length).toBeGreaterThan(0);
      expect(events.filter((e) => !loggedByTheApp(e))).toEqual([]);
    }
    expect(eventsIn(queryOf(rules()["A Peig migration needs attention"]))).toEqual(["attention.needed"]);
  });

  it("looks two days back for tasks, enough for the daily reminder that repeats the expiry", () => {
    const rule = rules()["A Peig migration task waits past its expiry"];
    expect(rule.overrideQueryTimeRange).toBe("P2D");
    expect(queryOf(rule)).toMatch(/expiresAt < ago\(1h\)/);
  });

  it("counts failed function executions per function for the failing-app rule", () => {
    const rule = rules()["The Peig migration function app fails repeatedly"];
    expect(queryOf(rule)).toMatch(/^requests\n\| where success == false/);
    expect((rule.criteria as { allOf: { threshold: number }[] }).allOf[0].threshold).toBe(5);
  });

  it("mails every admin address given at deploy time (ALERT_EMAILS)", () => {
    const main = template.parameters!.alertEmails as { defaultValue?: unknown };
    expect(main).toBeDefined();
    expect(main.defaultValue).toBeUndefined();
    const given = readFileSync(join(root, "infra/main.parameters.json"), "utf8");
    expect(JSON.parse(given).parameters.alertEmails.value).toBe("${ALERT_EMAILS}");
    const passed = String(
      (moduleDeployment(template, "alerts").properties.parameters as Record<string, { value: string }>).alertEmails
        .value,
    );
    expect(passed).toContain("split(parameters('alertEmails'), ',')");
    const [group] = resources("Microsoft.Insights/actionGroups");
    const copy = (group.properties as { copy: { name: string; count: string; input: { emailAddress: string } }[] })
      .copy[0];
    expect(copy.name).toBe("emailReceivers");
    expect(copy.count).toBe("[length(parameters('alertEmails'))]");
    expect(copy.input.emailAddress).toContain("parameters('alertEmails')[copyIndex('emailReceivers')]");
  });

  it("has a workbook of each migration's phase, its counts over time and its failures", () => {
    const [workbook] = resources("Microsoft.Insights/workbooks");
    expect((workbook as ArmResource & { kind?: string }).kind).toBe("shared");
    expect((workbook.properties as { serializedData: string }).serializedData).toBe(
      "[string(variables('workbookContent'))]",
    );
    const queries = evaluate(scope().variables.workbookQueries, scope()) as { title: string; query: string }[];
    expect(queries.map((q) => q.title)).toEqual(["Each migration's phase", "Counts over time", "Failures"]);
    for (const q of queries) expect(eventsIn(q.query).filter((e) => !loggedByTheApp(e))).toEqual([]);
    expect(queries[1].query).toContain("counts.onboarded");
    // Each item's query is the shared parse of the app's line followed by its own part.
    expect(String(scope().variables.workbookContent && JSON.stringify(scope().variables.workbookContent))).toContain(
      "format('{0}{1}', variables('migrationLines'), lambdaVariables('item').query)",
    );
  });
});
