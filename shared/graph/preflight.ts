/**
 * The preflight: what a real tenant would refuse, found before anything is created, each finding with its fix.
 * Pure: the Entra adapter reads the facts (TenantReadiness), this decides. Blocking findings refuse the start
 * with 400; warnings are shown and the start goes on.
 */
import type { IdentifierUriRestrictionRead, TenantReadiness } from "../entra/port";
import { graphClouds, type GraphCloud } from "./cloud";
import { featurePermissions, rolesInclude, type Feature } from "./permissions";

export interface PreflightFinding {
  check: "permission" | "identifierUriPolicy" | "signInLogs" | "senderMailbox" | "signingCertificate" | "workspace";
  severity: "blocking" | "warning";
  /** The setting or request field the fix is about. */
  field: string;
  problem: string;
  fix: string;
}

export interface PreflightInput {
  readiness: TenantReadiness;
  peigMode: "api" | "operator";
  scopeGroup: boolean;
  /** Fallback approvers are set: approvers' automatic replies are read before each deletion approval round. */
  fallbackApprovers?: boolean;
  /** Host of the Peig server, when known before setup. */
  peigHost?: string;
  /** The migration's corporate domain, verified in Entra (start contract). */
  domain: string;
  now: Date;
  /** GRAPH_CLOUD: the SAML signing certificate is made by an API of the global service only. */
  cloud: GraphCloud;
}

const grantCommand = (feature: Feature) =>
  `npm run grant-permissions -- --principal-id <the identity's principal id> --features ${feature} (docs/permissions.md); a new grant reaches the app's token within 24 hours`;

/** Features this migration uses, and whether lacking each blocks it. */
function featuresInUse(input: PreflightInput): { feature: Feature; blocking: boolean }[] {
  return [
    { feature: "setup", blocking: true },
    { feature: "users", blocking: true },
    ...(input.scopeGroup ? [{ feature: "groupScope" as const, blocking: true }] : []),
    ...(input.peigMode === "operator" ? [{ feature: "signIns" as const, blocking: true }] : []),
    // Mail.Send may be granted by Exchange RBAC for Applications instead, which the token does not show.
    { feature: "mail", blocking: false },
    { feature: "preflight", blocking: false },
    // Without it the out-of-office check is skipped (and the status page says so): a warning, never blocking.
    ...(input.fallbackApprovers ? [{ feature: "outOfOffice" as const, blocking: false }] : []),
  ];
}

function permissionFindings(input: PreflightInput): PreflightFinding[] {
  const { roles, rolesError } = input.readiness;
  if (roles === null) {
    return [
      {
        check: "permission",
        severity: "warning",
        field: "permissions",
        problem: `The app's token could not be read (${rolesError ?? "unknown reason"}), so its permissions were not checked.`,
        fix: "Check the managed identity (AZURE_CLIENT_ID) and docs/permissions.md.",
      },
    ];
  }
  return featuresInUse(input).flatMap(({ feature, blocking }) =>
    featurePermissions
      .filter((entry) => entry.feature === feature && !rolesInclude(roles, entry))
      .map((entry): PreflightFinding => ({
        check: "permission",
        severity: blocking ? "blocking" : "warning",
        field: "permissions",
        problem:
          `The app's identity lacks the Microsoft Graph application permission ${entry.permission}, needed to ${entry.why}.` +
          (feature === "mail"
            ? " (Fine if Mail.Send is granted through Exchange RBAC for Applications, which the token does not show.)"
            : ""),
        fix: `Grant it: ${grantCommand(feature)}.`,
      })),
  );
}

/** An enabled restriction that does not exclude SAML apps and covers an app created now. */
function restrictionApplies(r: IdentifierUriRestrictionRead, now: Date): boolean {
  if (r.state !== "enabled" || r.excludeSaml === true) return false;
  return (
    r.restrictForAppsCreatedAfterDateTime === null || Date.parse(r.restrictForAppsCreatedAfterDateTime) < now.getTime()
  );
}

function identifierUriFindings(input: PreflightInput): PreflightFinding[] {
  const policy = input.readiness.identifierUriPolicy;
  if (!policy.readable) {
    return [
      {
        check: "identifierUriPolicy",
        severity: "warning",
        field: "permissions",
        problem: `The tenant's app management policy could not be read (${policy.error}), so it is not known whether it accepts the Peig Entity ID.`,
        fix: `Grant Policy.Read.All: ${grantCommand("preflight")}.`,
      },
    ];
  }
  if (!input.peigHost || !policy.isEnabled) return [];
  const host = input.peigHost.toLowerCase();
  // The migration's domain is verified (start contract); the tenant may have other verified domains, which a
  // preflight without Domain.Read.All cannot see, so only the Peig host under the migration's domain counts as verified.
  const verified = host === input.domain || host.endsWith(`.${input.domain}`);
  const refuses = policy.restrictions.some(
    (r) =>
      restrictionApplies(r, input.now) &&
      (r.name === "nonDefaultUriAddition" || (r.name === "uriAdditionWithoutUniqueTenantIdentifier" && !verified)),
  );
  if (!refuses) return [];
  return [
    {
      check: "identifierUriPolicy",
      severity: "blocking",
      field: "idpEntityId",
      problem:
        `The tenant's app management policy restricts identifier URIs without excluding SAML apps, so for the Peig server ${input.peigHost} ` +
        `(outside the verified domain ${input.domain}) Entra would refuse the Entity ID https://${input.peigHost}/aducid-onboard/m365/metadata at setup.`,
      fix:
        "Set excludeSaml: true on the identifierUris restrictions of the default app management policy (PATCH /policies/defaultAppManagementPolicy, " +
        "https://learn.microsoft.com/en-us/entra/identity-platform/identifier-uri-restrictions), or verify the Peig server's domain in Entra.",
    },
  ];
}

function signInLogFindings(input: PreflightInput): PreflightFinding[] {
  const state = input.readiness.signInLogs;
  const without =
    "Without sign-in logs operator mode cannot see who onboarded: it would remind every user until the deadline and plan a Phase 2 account for each.";
  if (state === "notLicensed") {
    return [
      {
        check: "signInLogs",
        severity: "blocking",
        field: "PEIG_MODE",
        problem: `Entra answered 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant: reading sign-in logs needs Microsoft Entra ID P1 or P2. ${without}`,
        fix: "License Entra ID P1 (Microsoft 365 Business Premium includes it) for the tenant, or use api mode (PEIG_API_BASE_URL), where progress comes from Peig.",
      },
    ];
  }
  if (state === "forbidden") {
    return [
      {
        check: "signInLogs",
        severity: "blocking",
        field: "permissions",
        problem: `Reading the sign-in logs was refused (403). ${without}`,
        fix: `Grant AuditLog.Read.All: ${grantCommand("signIns")}.`,
      },
    ];
  }
  if (typeof state === "object") {
    return [
      {
        check: "signInLogs",
        severity: "blocking",
        field: "PEIG_MODE",
        problem: `The sign-in logs could not be read (${state.error}). ${without}`,
        fix: "Use api mode, or check the tenant's sign-in logs in the Entra admin center.",
      },
    ];
  }
  return [];
}

/**
 * A user object is not a mailbox: a user without an Exchange Online mailbox (no licence, or hosted on-premises)
 * makes every send fail with 404 MailboxNotEnabledForRESTAPI. The mailbox is probed with the Mail.ReadWrite the
 * app holds for its Sent Items look-ups; when that probe is refused, it is a warning only.
 */
function senderFindings(input: PreflightInput): PreflightFinding[] {
  return input.readiness.senders.flatMap((s): PreflightFinding[] => {
    if (!s.exists)
      return [
        {
          check: "senderMailbox",
          severity: "blocking",
          field: "MAIL_SENDERS",
          problem: `The sender mailbox ${s.address} does not exist in the tenant (GET /users/${s.address} answered 404).`,
          fix: "Create the mailbox (a shared mailbox will do) or set MAIL_SENDERS to existing ones.",
        },
      ];
    if (s.mailbox === "none")
      return [
        {
          check: "senderMailbox",
          severity: "blocking",
          field: "MAIL_SENDERS",
          problem: `${s.address} is a user in the tenant but has no Exchange Online mailbox (${s.mailboxError ?? "no mailbox"}), so nothing could be sent from it.`,
          fix: "Give it a mailbox (an Exchange Online licence, or make it a shared mailbox) or set MAIL_SENDERS to mailboxes that exist.",
        },
      ];
    if (s.mailbox === "unknown")
      return [
        {
          check: "senderMailbox",
          severity: "warning",
          field: "MAIL_SENDERS",
          problem: `Whether ${s.address} has a mailbox could not be checked (${s.mailboxError ?? "refused"}).`,
          fix: "Check the Exchange RBAC grant for the app on that mailbox (docs/permissions.md), then start again.",
        },
      ];
    return [];
  });
}

/**
 * addTokenSigningCertificate is offered in the global service only (the national cloud table of
 * https://learn.microsoft.com/en-us/graph/api/serviceprincipal-addtokensigningcertificate?view=graph-rest-1.0), and
 * the SAML tutorial documents no other way to give a template-made app its signing certificate, so a start in
 * another cloud is refused here, before any app is created, instead of failing after it.
 */
function cloudFindings(input: PreflightInput): PreflightFinding[] {
  if (input.cloud === "global") return [];
  return [
    {
      check: "signingCertificate",
      severity: "blocking",
      field: "GRAPH_CLOUD",
      problem:
        `GRAPH_CLOUD is ${input.cloud} (${graphClouds[input.cloud].label}), where Microsoft Graph does not offer addTokenSigningCertificate, ` +
        "the call that gives the migration app its SAML signing certificate; setup would create the app and then fail.",
      fix:
        "This app cannot set up the migration in a national cloud: follow Peig's runbook by hand for this tenant " +
        "(Entra admin center > Enterprise applications > New application, SAML single sign-on, where the portal makes the certificate).",
    },
  ];
}

export function preflightFindings(input: PreflightInput): PreflightFinding[] {
  return [
    ...permissionFindings(input),
    ...identifierUriFindings(input),
    ...signInLogFindings(input),
    ...senderFindings(input),
    ...cloudFindings(input),
  ];
}
