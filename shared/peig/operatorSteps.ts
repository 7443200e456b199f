/**
 * Operator mode: with no Peig admin API, each Peig write becomes a human task for the Peig admin. These
 * are the typed steps with the exact values the admin needs, and a pure function that words the
 * instructions as the runbook does
 * (https://docs.peig.io/welcome-to-peig-documentation/deployment-guides/microsoft-365/user-migration and
 * https://docs.peig.io/welcome-to-peig-documentation/deployment-guides/microsoft-365/managing-identifiers).
 * The task mechanism (mail, page, confirmation) is built elsewhere; values here are JSON-safe.
 */
import { peigConsolePages, type PeigConsolePage } from "./consolePages";

export interface AccountToCreate {
  microsoft365UserId: string;
  userPrincipalName: string;
  displayName: string;
}

export interface PendingRequestToResolve {
  /** The e-mail the user typed into Peig. */
  email: string;
  displayName: string;
  /** ISO 8601, when known. */
  submittedAt?: string;
  /** The Microsoft 365 user this request most likely belongs to: Merge it into that user's Peig account. */
  suggestedMergeTarget?: { userPrincipalName: string; displayName: string };
}

export interface UserToCheck {
  userPrincipalName: string;
  displayName: string;
}

export type OperatorStep =
  | {
      kind: "saveMigrationConfiguration";
      /** Application ID of the Entra app PeigMigrationManager. */
      applicationId: string;
      /** Its SAML signing certificate, "Certificate (Base64)". */
      idpCertificatePem: string;
    }
  | { kind: "createPeigAccounts"; accounts: AccountToCreate[] }
  | { kind: "resolvePendingRequests"; requests: PendingRequestToResolve[] }
  | {
      kind: "confirmOnboardingComplete";
      /** In-scope users the workflow could not see onboarded (no migration sign-in); empty when it saw everyone. */
      usersToCheck: UserToCheck[];
    }
  | { kind: "deleteMigrationConfiguration" };

export interface OperatorInstructions {
  title: string;
  /** In order; plain text, UI labels as Peig shows them. */
  instructions: string[];
  /** The Peig console screens the step is done on, in the order the instructions visit them. */
  consolePages: PeigConsolePage[];
}

const openMigrationSection = [
  "Open the Configuration app in Peig.",
  "Find your Microsoft 365 Active Provider.",
  "Open the Migration section.",
];

function person(user: { displayName: string; userPrincipalName: string }): string {
  return `${user.displayName} <${user.userPrincipalName}>`;
}

function requestLine(request: PendingRequestToResolve): string {
  const submitted = request.submittedAt ? `, submitted ${request.submittedAt}` : "";
  const what = `Request from ${request.displayName} typed as ${request.email}${submitted}`;
  return request.suggestedMergeTarget
    ? `${what}: verify the person, then click Merge and choose the existing account of ${person(request.suggestedMergeTarget)}.`
    : `${what}: verify the person, then click Approve, or Deny if you cannot confirm who they are.`;
}

/** The runbook-worded instructions for one operator step. Pure: the same step always gives the same text. */
export function describeOperatorStep(step: OperatorStep): OperatorInstructions {
  switch (step.kind) {
    case "saveMigrationConfiguration":
      return {
        title: "Set the migration configuration in Peig",
        consolePages: [peigConsolePages.migration],
        instructions: [
          ...openMigrationSection,
          `Enter the Application ID: ${step.applicationId}`,
          "Paste the IDP Certificate shown below, the full text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.",
          "Click Validate, then Save.",
          "Confirm this task once Peig has saved the configuration. Users can onboard from then on.",
        ],
      };
    case "createPeigAccounts":
      return {
        title: `Create ${step.accounts.length} Peig account(s) for users who did not onboard`,
        consolePages: [peigConsolePages.microsoft365Accounts],
        instructions: [
          "Open MS365 Identifiers in Peig.",
          "Go to the Microsoft 365 Accounts tab.",
          // The page lists the accounts in a table of their own; one line each here would make the task's stored row
          // grow with the tenant (a Table Storage property holds 64 KiB), which at some thousands it cannot.
          `For each of the ${step.accounts.length} Microsoft 365 user(s) listed under Accounts below, find the user and click Create Peig Account. Skip anyone who already shows a linked Peig account.`,
          "Confirm this task once every listed user has a linked Peig account. Each user then completes onboarding in the Peig app.",
        ],
      };
    case "resolvePendingRequests":
      return {
        title: `Resolve ${step.requests.length} pending onboarding request(s)`,
        consolePages: [peigConsolePages.usersAndAccess],
        instructions: [
          "Open Users & Access in Peig. Pending requests are at the top of the dashboard.",
          "Always verify the person's identity before you approve or merge a request.",
          ...step.requests.map(requestLine),
          "Check for any other pending request whose e-mail address does not match the user's Microsoft 365 account: Merge it with the correct existing account instead of approving it.",
          "Confirm this task once no request is pending.",
        ],
      };
    case "confirmOnboardingComplete":
      return {
        title: "Confirm that every user is onboarded and linked",
        consolePages: [peigConsolePages.usersAndAccess, peigConsolePages.microsoft365Accounts],
        instructions: [
          "Open Users & Access in Peig and check that no request is pending and no user has the status Not Onboarded.",
          // Operator mode cannot read Peig, so the app cannot list the mistyped requests as it does in api mode: the Peig
          // admin finds them on the dashboard and merges them here, before confirming.
          "A pending request whose e-mail address is not the person's Microsoft 365 account (they typed another address): verify the person, then click Merge and choose the existing account of the Microsoft 365 user it belongs to. Do not Approve it: that would make a second Peig account.",
          "If that user has no Peig account yet, first open MS365 Identifiers, Microsoft 365 Accounts tab, click Create Peig Account for them, then Merge the request into it.",
          "Open MS365 Identifiers, go to the Microsoft 365 Accounts tab and check that every Microsoft 365 user in the migration is linked to a Peig account.",
          ...(step.usersToCheck.length > 0
            ? [
                `The workflow could not see these ${step.usersToCheck.length} user(s) onboard; check each of them:`,
                ...step.usersToCheck.map((u) => `Check ${person(u)}.`),
              ]
            : []),
          "Confirm this task only when all of the above is true: the migration configuration is deleted next, and that cannot be undone.",
        ],
      };
    case "deleteMigrationConfiguration":
      return {
        title: "Delete the migration configuration in Peig",
        consolePages: [peigConsolePages.migration],
        instructions: [
          ...openMigrationSection,
          "Delete the migration configuration. This cannot be undone: afterwards nobody can onboard with their Microsoft credentials.",
          "Confirm this task once the Migration section shows no configuration.",
        ],
      };
  }
}
