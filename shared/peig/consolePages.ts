/**
 * The Peig admin console's screens an operator step happens on, named as Peig's runbook names them
 * (https://docs.peig.io/welcome-to-peig-documentation/deployment-guides/microsoft-365/user-migration,
 * docs/peig-ui.md). Task pages name the screen to open; the local Peig simulator serves a console page
 * for each at `path`, under its console (local/peig-simulator/console.ts), and task pages link there
 * when PEIG_CONSOLE_URL is set (the demo sets it; a real workspace's addresses are not published).
 */
export const peigConsolePages = {
  samlIdpInfo: { name: "Configuration → SAML IDP Info", path: "/configuration/saml-idp-info" },
  migration: {
    name: "Configuration → Microsoft 365 Active Provider → Migration",
    path: "/configuration/microsoft-365-active-provider/migration",
  },
  usersAndAccess: { name: "Users & Access", path: "/users-and-access" },
  microsoft365Accounts: {
    name: "MS365 Identifiers → Microsoft 365 Accounts",
    path: "/ms365-identifiers/microsoft-365-accounts",
  },
} as const;

export type PeigConsolePageId = keyof typeof peigConsolePages;
export type PeigConsolePage = (typeof peigConsolePages)[PeigConsolePageId];
