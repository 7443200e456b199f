/**
 * Operator mode: with no Peig admin API, each Peig write becomes a human task for the Peig admin. These
 * are the typed steps with the exact values the admin needs, and a pure function that words the
 * instructions as the runbook does
 * (https://docs.peig.io/welcome-to-peig-documentation/deployment-guides/microsoft-365/user-migration and
 * https://docs.peig.io/welcome-to-peig-documentation/deployment-guides/microsoft-365/managing-identifiers).
 * The task mechanism (mail, page, confirmation) is built elsewhere; values here are JSON-safe.
 */
import { plural } from "../domain/plural";
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

/** A later round of the Phase 2 task: why it is asked again. */
export interface PeigAccountsAgain {
  round: number;
  /** How the round before ended: "expired" unanswered, or "incomplete" (confirmed, with `failed` Create Peig Account failures). */
  earlier: "expired" | "incomplete";
  failed?: number;
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
  | {
      kind: "createPeigAccounts";
      accounts: AccountToCreate[];
      /** Asked again: this round, and how the one before ended (confirmed with failures, or expired unanswered). */
      again?: PeigAccountsAgain;
    }
  | { kind: "resolvePendingRequests"; requests: PendingRequestToResolve[] }
  | {
      kind: "confirmOnboardingComplete";
      /** In-scope users the workflow could not see onboarded (no migration sign-in); empty when it saw everyone. */
      usersToCheck: UserToCheck[];
      /** People an admin exempted: not linked, and not expected to be (absent when nobody was). */
      exempted?: (UserToCheck & { reason: string })[];
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

/** Why a later round of the Phase 2 task is asked, and where the accounts still missing are. */
function askedAgainLines(again: PeigAccountsAgain): string[] {
  const before = `round ${again.round - 1}`;
  return [
    again.earlier === "expired"
      ? `This task is asked again: ${before} expired before anyone confirmed it, so the accounts may not exist yet.`
      : again.failed
        ? `This task is asked again: ${before} was confirmed with ${plural(again.failed, "Create Peig Account failure")}, so some listed users still have no Peig account.`
        : `This task is asked again: ${before} was confirmed, but the checklist still finds users without a Peig account.`,
    'The app cannot read Peig: the users still missing are among those listed under "Still without a Peig account" below (the listed users it cannot tell have one). Start with them.',
  ];
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
          "Confirm this task once Peig has saved the configuration, with the Application ID the Migration section then shows. Users can onboard from then on.",
        ],
      };
    case "createPeigAccounts":
      return {
        title: `Create ${plural(step.accounts.length, "Peig account")} for users who did not onboard${step.again ? `, asked again (round ${step.again.round})` : ""}`,
        consolePages: [peigConsolePages.microsoft365Accounts],
        instructions: [
          ...(step.again ? askedAgainLines(step.again) : []),
          "Open MS365 Identifiers in Peig.",
          "Go to the Microsoft 365 Accounts tab.",
          // The page lists the accounts in a table of their own; one line each here would make the task's stored row
          // grow with the tenant (a Table Storage property holds 64 KiB), which at some thousands it cannot.
          `For each of the ${plural(step.accounts.length, "Microsoft 365 user")} listed under Accounts below, find the user and click Create Peig Account. Skip anyone who already shows a linked Peig account.`,
          "Confirm this task once every listed user has a linked Peig account, with how many Create Peig Account created, how many were already linked, and how many failed. Each user then completes onboarding in the Peig app.",
        ],
      };
    case "resolvePendingRequests":
      return {
        title: `Resolve ${plural(step.requests.length, "pending onboarding request")}`,
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
          "Open Users & Access in Peig and check that no request is pending, and that the only users with the status Not Onboarded are those with a Phase 2 account who have not signed in yet.",
          // Operator mode cannot read Peig, so the app cannot list the mistyped requests as it does in api mode: the Peig
          // admin finds them on the dashboard and merges them here, before confirming.
          "A pending request whose e-mail address is not the person's Microsoft 365 account (they typed another address): verify the person, then click Merge and choose the existing account of the Microsoft 365 user it belongs to. Do not Approve it: that would make a second Peig account.",
          "If that user has no Peig account yet, first open MS365 Identifiers, Microsoft 365 Accounts tab, click Create Peig Account for them, then Merge the request into it.",
          "Open MS365 Identifiers, go to the Microsoft 365 Accounts tab and check that every Microsoft 365 user in the migration is linked to a Peig account.",
          ...(step.usersToCheck.length > 0
            ? [
                `The workflow could not see ${step.usersToCheck.length === 1 ? "this user" : `these ${step.usersToCheck.length} users`} onboard; check ${step.usersToCheck.length === 1 ? "them" : "each of them"}:`,
                ...step.usersToCheck.map((u) => `Check ${person(u)}.`),
              ]
            : []),
          ...(step.exempted?.length
            ? [
                `These ${step.exempted.length} people were exempted by an admin: they need no Peig account and may show as not linked; count them out of the check above.`,
                ...step.exempted.map((u) => `${person(u)}: exempted (${u.reason}).`),
              ]
            : []),
          "Confirm this task only when all of the above is true, with what Users & Access and MS365 Identifiers show: the app checks those figures against what it knows, and the migration configuration is deleted after the approval, which cannot be undone.",
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

/**
 * What the Peig admin reads in Peig and enters when confirming a step: the app checks each figure against what it
 * knows before it accepts the confirmation (a figure that contradicts it is refused, with the difference named).
 */
export interface ConfirmationField {
  name: string;
  /** Where in Peig to read it, in Peig's own words. */
  label: string;
  kind: "count" | "text";
}

export const confirmationFields: Record<OperatorStep["kind"], readonly ConfirmationField[]> = {
  saveMigrationConfiguration: [
    {
      name: "applicationId",
      label: "The Application ID the Migration section shows after Save",
      kind: "text",
    },
  ],
  createPeigAccounts: [
    { name: "created", label: "MS365 Identifiers: Peig accounts created", kind: "count" },
    {
      name: "alreadyLinked",
      label: "MS365 Identifiers: already linked (Create Peig Account said the account is already linked)",
      kind: "count",
    },
    { name: "failed", label: "MS365 Identifiers: Create Peig Account failed", kind: "count" },
  ],
  resolvePendingRequests: [],
  confirmOnboardingComplete: [
    { name: "pendingRequests", label: "Users & Access: pending requests", kind: "count" },
    { name: "notOnboarded", label: "Users & Access: users with the status Not Onboarded", kind: "count" },
    {
      name: "linkedAccounts",
      label: "MS365 Identifiers > Microsoft 365 Accounts: accounts linked to a Peig account",
      kind: "count",
    },
  ],
  deleteMigrationConfiguration: [
    { name: "configurationsShown", label: "The Migration section: configurations shown after Delete", kind: "count" },
  ],
};

/** What the app knows when a confirmation arrives (its own counts, from the store). */
export interface KnownFacts {
  /** The Application ID of PeigMigrationManager. */
  applicationId?: string;
  /** Users the Phase 2 task listed. */
  listedForPhase2: number;
  /** Users in scope. */
  inScope: number;
  /** Of them, exempted by an admin and not onboarded: no Peig account is expected for them. */
  exempted?: number;
  /** Users with a Phase 2 account the app has not seen sign in yet (each is Not Onboarded in Peig until they do). */
  awaitingFirstSignIn: number;
}

export type ConfirmationCheck =
  | { ok: true; figures: Record<string, string | number> }
  | { ok: false; problems: { field: string; message: string }[] };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Parses the figures entered for `kind` and compares them with what the app knows. A refusal names each field and
 * the difference; nothing is recorded by this function.
 */
export function checkConfirmation(
  kind: OperatorStep["kind"],
  entered: (name: string) => string | null,
  known: KnownFacts,
): ConfirmationCheck {
  const problems: { field: string; message: string }[] = [];
  const figures: Record<string, string | number> = {};
  for (const field of confirmationFields[kind]) {
    const text = (entered(field.name) ?? "").trim();
    if (field.kind === "text") {
      if (!text) problems.push({ field: field.name, message: `${field.label}: enter it as Peig shows it` });
      figures[field.name] = text;
    } else if (!/^\d{1,9}$/.test(text)) {
      problems.push({ field: field.name, message: `${field.label}: enter the number Peig shows (a whole number)` });
    } else figures[field.name] = Number(text);
  }
  if (problems.length > 0) return { ok: false, problems };
  const n = (name: string) => figures[name] as number;
  const refuse = (field: string, message: string) => problems.push({ field, message });
  switch (kind) {
    case "saveMigrationConfiguration": {
      const shown = String(figures.applicationId);
      if (!GUID.test(shown)) refuse("applicationId", `"${shown}" is not an Application ID (a GUID)`);
      else if (known.applicationId && shown.toLowerCase() !== known.applicationId.toLowerCase())
        refuse(
          "applicationId",
          `Peig shows Application ID ${shown}, but this migration's app PeigMigrationManager is ${known.applicationId}: enter ${known.applicationId}, click Validate, then Save`,
        );
      break;
    }
    case "createPeigAccounts": {
      const sum = n("created") + n("alreadyLinked") + n("failed");
      if (sum !== known.listedForPhase2)
        refuse(
          "created",
          `${n("created")} created + ${n("alreadyLinked")} already linked + ${n("failed")} failed = ${sum}, but the task listed ${known.listedForPhase2} users: each listed user is exactly one of the three`,
        );
      break;
    }
    case "confirmOnboardingComplete": {
      if (n("pendingRequests") > 0)
        refuse(
          "pendingRequests",
          `Users & Access shows ${n("pendingRequests")} pending requests, and the checklist needs none: merge or approve them first (Merge a request typed with another e-mail into the user's account)`,
        );
      if (n("notOnboarded") > known.awaitingFirstSignIn)
        refuse(
          "notOnboarded",
          `Users & Access shows ${n("notOnboarded")} users Not Onboarded, but the app counts ${known.awaitingFirstSignIn} with a Phase 2 account awaiting their first sign-in: ${n("notOnboarded") - known.awaitingFirstSignIn} more are Not Onboarded; find out why before confirming`,
        );
      const expected = known.inScope - (known.exempted ?? 0);
      if (n("linkedAccounts") < expected)
        refuse(
          "linkedAccounts",
          `MS365 Identifiers shows ${n("linkedAccounts")} linked accounts, but ${expected} users are in scope${known.exempted ? ` and not exempted` : ""}: at least ${expected - n("linkedAccounts")} of them are not linked`,
        );
      break;
    }
    case "deleteMigrationConfiguration":
      if (n("configurationsShown") > 0)
        refuse(
          "configurationsShown",
          `the Migration section still shows ${plural(n("configurationsShown"), "configuration")}: delete it before confirming`,
        );
      break;
    case "resolvePendingRequests":
      break;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, figures };
}
