import { attentionLines, serveInstructions } from "../../local/demo/serve";

const info = {
  baseUrl: "http://127.0.0.1:7071",
  functionKey: "KEY",
  admin: "it@contoso.com",
  graphBaseUrl: "http://127.0.0.1:7100/",
  peigOrigin: "http://127.0.0.1:7200",
  peigApiBaseUrl: "http://127.0.0.1:7200/admin-api/v1",
  peigApiKey: "peig-key",
  peigConsoleUrl: "http://127.0.0.1:7200/console/",
  domain: "contoso.com",
  exampleDeadline: "2026-12-15T09:00:00.000Z",
  acceleration: 10_080,
  exampleUserId: "u-1",
};

describe("--serve instructions", () => {
  const text = serveInstructions(info);

  it("gives a curl example with the function key for every admin route of the admin API", () => {
    const key = '-H "x-functions-key: KEY"';
    expect(text).toContain(`curl -i -X POST http://127.0.0.1:7071/api/migrations ${key}`);
    expect(text).toContain(`curl http://127.0.0.1:7071/api/migrations/ID ${key}`);
    expect(text).toContain("in a browser, signed in: http://127.0.0.1:7071/api/migrations/ID/page");
    expect(text).not.toContain("code=");
    expect(text).toContain(`curl "http://127.0.0.1:7071/api/migrations/ID/report?format=json" ${key}`);
    for (const route of ["deadline", "cancel", "approval"])
      expect(text).toContain(`curl -i -X POST http://127.0.0.1:7071/api/migrations/ID/${route} ${key}`);
    expect(text).toContain("http://127.0.0.1:7071/api/tasks/TOKEN");
  });

  it("prints the home page link and the Peig console's address first", () => {
    expect(text).toContain(
      "Home page:        http://127.0.0.1:7071/api/home  (sign in as it@contoso.com, offered first on the local sign-in page)",
    );
    expect(text).toContain("Peig console:     http://127.0.0.1:7200/console/");
  });

  it("gives a start request the API accepts as it stands, with the deadline given", () => {
    const body = JSON.parse(/-d '(\{"workspace".*?\})'/.exec(text)![1]) as Record<string, unknown>;
    expect(body).toMatchObject({
      workspace: "contoso",
      domain: "contoso.com",
      deadline: info.exampleDeadline,
      reminders: ["P7D", "P3D", "P1D", "PT4H"],
      dryRun: false,
    });
  });

  it("lists the simulators' control routes", () => {
    for (const route of [
      "http://127.0.0.1:7100/_sim/state",
      "http://127.0.0.1:7100/_sim/outbox",
      "http://127.0.0.1:7100/_sim/faults",
      "http://127.0.0.1:7100/_sim/signIns",
    ])
      expect(text).toContain(route);
    for (const route of [
      "http://127.0.0.1:7200/_sim/state",
      "-X PUT http://127.0.0.1:7200/_sim/faults",
      "http://127.0.0.1:7200/_sim/users/u-1/onboard",
    ])
      expect(text).toContain(route);
  });
});

describe("--serve's lines about running migrations", () => {
  it("says when a migration needs attention and whom it waits for, with its status page", () => {
    expect(
      attentionLines(
        "m-1",
        {
          phase: "setup",
          needsAttention: {
            step: "createMigrationApp",
            service: "graph",
            status: 403,
            fix: "Grant Application.ReadWrite.OwnedBy, then resume.",
            since: "2026-12-01T09:00:00Z",
          },
          waitingOn: [
            {
              who: ["cio@contoso.com", "ciso@contoso.com"],
              what: "1 of 2 approvers to approve deleting the migration configuration",
              expiresAt: "2026-12-08T09:00:00Z",
            },
          ],
        },
        "http://host/page",
      ),
    ).toEqual([
      "Migration m-1 needs attention (Microsoft Graph answered 403 while creating the Entra app PeigMigrationManager): Grant Application.ReadWrite.OwnedBy, then resume. Status page: http://host/page",
      "Migration m-1 waits for 1 of 2 approvers to approve deleting the migration configuration (task e-mailed to cio@contoso.com, ciso@contoso.com). Status page: http://host/page",
    ]);
    expect(attentionLines("m-1", { phase: "onboarding" }, "http://host/page")).toEqual([]);
  });
});
