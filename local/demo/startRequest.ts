/** The start request the demo sends as an admin would (its own module: the stack plans its mail from it too). */
import { DAY, parseIsoDuration } from "../../shared/domain/duration";

const REMINDERS = ["P7D", "P3D", "P1D", "PT4H"];

/** The start request an admin would send: the deadline `deadlineDays` simulated days ahead. */
export function startRequestBody(now: Date, deadlineDays: number, domain: string): Record<string, unknown> {
  const windowMs = deadlineDays * DAY;
  const deadline = new Date(now.getTime() + windowMs);
  return {
    workspace: "contoso",
    domain,
    idpEntityId: `https://pap01.${domain}/idp/shibboleth`,
    deadline: deadline.toISOString(),
    // A short window cannot hold the week-ahead reminder: keep the ones that fall inside it.
    reminders: REMINDERS.filter((r) => parseIsoDuration(r) < windowMs),
    monitorEvery: windowMs >= 2 * DAY ? "PT6H" : "PT1H",
    approvers: [`cio@${domain}`, `ciso@${domain}`],
    requiredApprovals: 1,
    admins: [`it@${domain}`],
    phase2: "auto",
    endEarly: true,
    dryRun: false,
  };
}
