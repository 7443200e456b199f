import { ConfigError, loadSettings, SETTING_NAMES } from "../../shared/config";

const minimal = {
  MIGRATION_STORAGE_CONNECTION: "UseDevelopmentStorage=true",
  MAIL_SENDER: "migration@contoso.com",
  PUBLIC_BASE_URL: "https://migrate.contoso.com",
};

describe("app settings", () => {
  it("defaults to operator mode when no Peig API is configured", () => {
    const s = loadSettings(minimal);
    expect(s.PEIG_MODE).toBe("operator");
    expect(s.GRAPH_CLOUD).toBe("global");
    expect(s.MIGRATION_APP_NAME).toBe("PeigMigrationManager");
    expect(s.REQUIRE_SIGNED_IN_APPROVER).toBe(false);
  });

  it("switches to api mode when a Peig API URL and key are given", () => {
    expect(
      loadSettings({ ...minimal, PEIG_API_BASE_URL: "https://pap01.contoso.com/admin-api/v1", PEIG_API_KEY: "k" })
        .PEIG_MODE,
    ).toBe("api");
  });

  it("names every bad setting and why, without echoing secret values", () => {
    try {
      loadSettings({
        MAIL_SENDER: "not-an-address",
        PUBLIC_BASE_URL: "ftp://x",
        PEIG_API_BASE_URL: "https://p.example.com",
        REQUIRE_SIGNED_IN_APPROVER: "yes",
      });
      throw new Error("expected a ConfigError");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const settings = (err as ConfigError).problems.map((p) => p.setting).sort();
      expect(settings).toEqual([
        "MAIL_SENDER",
        "MIGRATION_STORAGE_CONNECTION",
        "PEIG_API_KEY",
        "PUBLIC_BASE_URL",
        "REQUIRE_SIGNED_IN_APPROVER",
      ]);
    }
  });

  it("lists every setting it reads, each documented in local.settings.example.json", () => {
    const example = require("../../local.settings.example.json") as { Values: Record<string, string> };
    for (const name of SETTING_NAMES) expect(Object.keys(example.Values)).toContain(name);
  });
});
