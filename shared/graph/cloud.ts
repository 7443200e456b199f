/**
 * National clouds: each has its own Graph host, token authority and non-gallery application template id
 * (https://learn.microsoft.com/en-us/graph/api/applicationtemplate-instantiate?view=graph-rest-1.0 and
 * https://learn.microsoft.com/en-us/graph/deployments).
 */
export type GraphCloud = "global" | "usgov" | "china";

export interface GraphCloudSettings {
  graphBaseUrl: string;
  authorityHost: string;
  /** "Integrate any other application you don't find in the gallery (Non-gallery)". */
  nonGalleryTemplateId: string;
}

export const graphClouds: Record<GraphCloud, GraphCloudSettings> = {
  global: {
    graphBaseUrl: "https://graph.microsoft.com/",
    authorityHost: "https://login.microsoftonline.com",
    nonGalleryTemplateId: "8adf8e6e-67b2-4cf2-a259-e3dc5476c621",
  },
  usgov: {
    graphBaseUrl: "https://graph.microsoft.us/",
    authorityHost: "https://login.microsoftonline.us",
    nonGalleryTemplateId: "4602d0b4-76bb-404b-bca9-2652e1a39c6d",
  },
  china: {
    graphBaseUrl: "https://microsoftgraph.chinacloudapi.cn/",
    authorityHost: "https://login.chinacloudapi.cn",
    nonGalleryTemplateId: "5a532e38-1581-4918-9658-008dc27c1d68",
  },
};

export function parseGraphCloud(value: string | undefined): GraphCloud {
  const cloud = (value ?? "global").trim().toLowerCase() || "global";
  if (cloud === "global" || cloud === "usgov" || cloud === "china") return cloud;
  throw new Error(`GRAPH_CLOUD must be one of global, usgov, china; got ${JSON.stringify(value)}`);
}
