/**
 * The Microsoft Graph application permissions the app's managed identity needs, per feature, least
 * privileged first: the one list that `npm run grant-permissions` grants, the preflight checks in the token's
 * roles, and docs/permissions.md and docs/graph-calls.md explain (a test keeps them in step).
 */

export const features = ["setup", "users", "groupScope", "signIns", "mail", "preflight", "outOfOffice"] as const;
export type Feature = (typeof features)[number];

export interface FeaturePermission {
  feature: Feature;
  permission: string;
  /** Which calls need it, and why nothing smaller will do. */
  why: string;
  /** Broader permissions that include it (a token holding one of these is enough). */
  includedIn?: string[];
}

export const featurePermissions: readonly FeaturePermission[] = [
  {
    feature: "setup",
    permission: "Application.ReadWrite.All",
    why:
      "instantiate the non-gallery app, PATCH its SAML settings, addTokenSigningCertificate, delete it at close. " +
      "Application.ReadWrite.OwnedBy is not enough: instantiate leaves the new app without an owner, so the follow-up calls are denied",
  },
  {
    feature: "users",
    permission: "User.Read.All",
    why: "list the in-scope users (GET /users) and read their mail and proxy addresses; check that each sender mailbox exists",
    includedIn: ["User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  },
  {
    feature: "groupScope",
    permission: "GroupMember.Read.All",
    why: "read the include and exclude groups' transitive members when a migration names groups",
    includedIn: ["Group.Read.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  },
  {
    feature: "signIns",
    permission: "AuditLog.Read.All",
    why: "operator mode: read sign-ins to the migration app (GET /beta/auditLogs/signIns) to see who onboarded",
  },
  {
    feature: "mail",
    permission: "Mail.Send",
    why: "send invitations, reminders and task e-mails from the sender mailboxes (restrict it with Exchange RBAC for Applications)",
  },
  {
    feature: "mail",
    permission: "Mail.ReadWrite",
    why:
      "create each message as a draft with its send key, look the key up in Sent Items before a retry, read non-delivery reports in the Inbox. " +
      "Mail.Read cannot create drafts; Mail.ReadBasic.All hides bodies and extended properties. Restrict it with Exchange RBAC for Applications",
  },
  {
    feature: "preflight",
    permission: "Policy.Read.All",
    why: "read the tenant's app management policy (GET /policies/defaultAppManagementPolicy) to tell before setup whether it will refuse the Peig Entity ID",
  },
  {
    feature: "outOfOffice",
    permission: "MailboxSettings.Read",
    why:
      "read each approver's automatic replies (GET /users/{id}/mailboxSettings/automaticRepliesSetting) before mailing them, " +
      "so that one away for the whole round is skipped and the fallback approvers are asked at once; without it the check is skipped",
    includedIn: ["MailboxSettings.ReadWrite"],
  },
];

export function parseFeatures(text: string): { ok: true; value: Feature[] } | { ok: false; error: string } {
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(features as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    return {
      ok: false,
      error: `--features takes a comma-separated list of ${features.join(", ")}${unknown.length ? `; unknown: ${unknown.join(", ")}` : ""}`,
    };
  }
  return { ok: true, value: features.filter((f) => names.includes(f)) };
}

/** Whether a token's roles hold the permission, directly or through a broader one. */
export function rolesInclude(
  roles: readonly string[],
  entry: Pick<FeaturePermission, "permission" | "includedIn">,
): boolean {
  return [entry.permission, ...(entry.includedIn ?? [])].some((p) => roles.includes(p));
}

/** The permissions the given features need, each once, with the features that need it. */
export function permissionsFor(selected: readonly Feature[]): { permission: string; features: Feature[] }[] {
  const byPermission = new Map<string, Feature[]>();
  for (const entry of featurePermissions) {
    if (!selected.includes(entry.feature)) continue;
    byPermission.set(entry.permission, [...(byPermission.get(entry.permission) ?? []), entry.feature]);
  }
  return [...byPermission].map(([permission, needs]) => ({ permission, features: needs }));
}
