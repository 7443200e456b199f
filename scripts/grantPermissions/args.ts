/** Command-line options of `npm run grant-permissions`. */
import { features, parseFeatures, type Feature } from "../../shared/graph/permissions";
import { parseGraphCloud, type GraphCloud } from "../../shared/graph/cloud";

export interface GrantArguments {
  principalId: string;
  features: Feature[];
  dryRun: boolean;
  /** Overrides the cloud's Graph endpoint (the local Graph simulator, a proxy). */
  graphBaseUrl?: string;
  cloud: GraphCloud;
}

export const usage = `Usage: npm run grant-permissions -- --principal-id <object id> [--dry-run] [--features ${features.join(",")}]
                                 [--cloud global|usgov|usgovdod|china] [--graph-base-url <url>]

Assigns the app's managed identity the Microsoft Graph application permissions its features need
(docs/permissions.md). Run it signed in (az login) as a Privileged Role Administrator or Global Administrator.
  --principal-id    the managed identity's principal (object) id: azd env get-value AZURE_IDENTITY_PRINCIPAL_ID
  --dry-run         print what would be assigned; change nothing
  --features        only these features (default: all). Leave out groupScope if no migration names include or exclude groups,
                    signIns if Peig runs in api mode
  --cloud           national cloud (default global)
  --graph-base-url  Graph endpoint override, e.g. the local Graph simulator`;

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ParsedArguments =
  { ok: true; help: true } | { ok: true; help: false; value: GrantArguments } | { ok: false; error: string };

export function parseGrantArguments(argv: readonly string[]): ParsedArguments {
  let principalId: string | undefined;
  let selected: Feature[] = [...features];
  let dryRun = false;
  let graphBaseUrl: string | undefined;
  let cloud: GraphCloud = "global";
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case "--help":
      case "-h":
        return { ok: true, help: true };
      case "--dry-run":
        dryRun = true;
        break;
      case "--principal-id":
        principalId = value();
        break;
      case "--features": {
        const parsed = parseFeatures(value() ?? "");
        if (!parsed.ok) return parsed;
        selected = parsed.value;
        break;
      }
      case "--graph-base-url": {
        const url = value() ?? "";
        if (!/^https?:\/\/[^/]/.test(url))
          return { ok: false, error: `--graph-base-url must be an http(s) URL, got ${JSON.stringify(url)}` };
        graphBaseUrl = url;
        break;
      }
      case "--cloud":
        try {
          cloud = parseGraphCloud(value());
        } catch (error) {
          return { ok: false, error: (error as Error).message };
        }
        break;
      default:
        return { ok: false, error: `unknown option ${argv[i]}` };
    }
  }
  if (!principalId || !guid.test(principalId)) {
    return {
      ok: false,
      error: `--principal-id must be the managed identity's principal (object) id, a GUID; got ${JSON.stringify(principalId ?? "")}`,
    };
  }
  return {
    ok: true,
    help: false,
    value: { principalId: principalId.toLowerCase(), features: selected, dryRun, graphBaseUrl, cloud },
  };
}
