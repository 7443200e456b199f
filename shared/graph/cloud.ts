/**
 * National clouds: each has its own Graph host, token authority and non-gallery application template id
 * (https://learn.microsoft.com/en-us/graph/api/applicationtemplate-instantiate?view=graph-rest-1.0 and
 * https://learn.microsoft.com/en-us/graph/deployments), and not every API exists in every cloud.
 */
export const graphCloudNames = ["global", "usgov", "usgovdod", "china"] as const;
export type GraphCloud = (typeof graphCloudNames)[number];

export interface GraphCloudSettings {
  /** How the docs' "national cloud deployments" tables name it. */
  label: string;
  graphBaseUrl: string;
  authorityHost: string;
  /** "Integrate any other application you don't find in the gallery (Non-gallery)". */
  nonGalleryTemplateId: string;
  /**
   * Whether `auditLogs/signIns` is offered: its "national cloud deployments" table ticks the global service only
   * (https://learn.microsoft.com/en-us/graph/api/signin-list?view=graph-rest-1.0).
   */
  signInLogs: boolean;
}

export const graphClouds: Record<GraphCloud, GraphCloudSettings> = {
  global: {
    label: "Global service",
    graphBaseUrl: "https://graph.microsoft.com/",
    authorityHost: "https://login.microsoftonline.com",
    nonGalleryTemplateId: "8adf8e6e-67b2-4cf2-a259-e3dc5476c621",
    signInLogs: true,
  },
  usgov: {
    label: "US Government L4",
    graphBaseUrl: "https://graph.microsoft.us/",
    authorityHost: "https://login.microsoftonline.us",
    nonGalleryTemplateId: "4602d0b4-76bb-404b-bca9-2652e1a39c6d",
    signInLogs: false,
  },
  // US Government L5 (DOD) has its own Graph host but shares the US Government authority and template
  // (https://learn.microsoft.com/en-us/graph/deployments#microsoft-graph-and-graph-explorer-service-root-endpoints).
  usgovdod: {
    label: "US Government L5 (DOD)",
    graphBaseUrl: "https://dod-graph.microsoft.us/",
    authorityHost: "https://login.microsoftonline.us",
    nonGalleryTemplateId: "4602d0b4-76bb-404b-bca9-2652e1a39c6d",
    signInLogs: false,
  },
  china: {
    label: "China operated by 21Vianet",
    graphBaseUrl: "https://microsoftgraph.chinacloudapi.cn/",
    authorityHost: "https://login.chinacloudapi.cn",
    nonGalleryTemplateId: "5a532e38-1581-4918-9658-008dc27c1d68",
    signInLogs: false,
  },
};

export function parseGraphCloud(value: string | undefined): GraphCloud {
  const cloud = (value ?? "global").trim().toLowerCase() || "global";
  const known = graphCloudNames.find((name) => name === cloud);
  if (known) return known;
  throw new Error(`GRAPH_CLOUD must be one of ${graphCloudNames.join(", ")}; got ${JSON.stringify(value)}`);
}

/**
 * Operator mode learns who onboarded from the sign-in logs only; where the cloud has none, it would remind
 * everyone and create a Phase 2 account for everyone. The reason and the alternative, or undefined when fine.
 */
export function operatorModeUnavailable(cloud: GraphCloud): string | undefined {
  const settings = graphClouds[cloud];
  if (settings.signInLogs) return undefined;
  return (
    `operator mode reads onboarding progress from Entra sign-in logs (GET auditLogs/signIns), which Microsoft Graph offers ` +
    `in the global service only, not in ${settings.label}. Use api mode (set PEIG_API_BASE_URL and PEIG_API_KEY): ` +
    `progress then comes from Peig's Users & Access`
  );
}
