/**
 * Who a human task goes to, and what the workflow waits on them for (the orchestration publishes it as
 * custom status; the status page and the demo show it). Pure: the task payloads (shared/taskPayloads.ts)
 * and the activities that open tasks use the same rules.
 */
import type { HumanTaskPurpose, MigrationRequest, OpenGate, WaitingOn } from "../workflow";
import { plural } from "./plural";

/** An approval (k of n approvers decide) or an operator step (the Peig admin confirms it is done). */
export type TaskKind = "approval" | "operatorStep";

export function taskKind(purpose: HumanTaskPurpose): TaskKind {
  return purpose === "deletionApproval" || purpose === "phase2Approval" || purpose === "pilotReview"
    ? "approval"
    : "operatorStep";
}

/**
 * Approvals go to the approvers, the pilot review (the admins' own go-ahead for the next wave) and Peig steps to the
 * admins, who do (or pass on) the Peig admin's part.
 */
export function assigneesFor(purpose: HumanTaskPurpose, request: MigrationRequest): string[] {
  return taskKind(purpose) === "approval" && purpose !== "pilotReview" ? request.approvers : request.admins;
}

/** What the people of an open gate are asked, as the status page and the demo say it ("Waiting for: …"). */
export function waitingOn(gate: OpenGate, request: MigrationRequest, merges?: number): WaitingOn {
  // Those asked: the approvers less any out of office, and the fallback approvers once the round went to them.
  const away = new Set((gate.away ?? []).map((a) => a.toLowerCase()));
  const who = [
    ...assigneesFor(gate.purpose, request).filter((a) => !away.has(a.toLowerCase())),
    ...(gate.escalated ? (request.fallbackApprovers ?? []) : []),
  ];
  const what: Record<HumanTaskPurpose, string> = {
    deletionApproval: `${gate.required} of ${who.length} approvers to approve deleting the migration configuration`,
    phase2Approval: `${gate.required} of ${who.length} approvers to approve creating Peig accounts for those who missed the window`,
    peigConfiguration: "the Peig admin to save the migration configuration in Peig",
    peigAccounts: `the Peig admin to create the missing Peig accounts${gate.round > 1 ? `, asked again (round ${gate.round})` : ""}`,
    peigChecklist: "the Peig admin to confirm every user is onboarded and linked in Peig",
    peigDeletion: "the Peig admin to delete the migration configuration in Peig",
    peigMerges: `the Peig admin to review the merge task: ${merges === undefined ? "the pending requests" : plural(merges, "pending request")} typed with another e-mail`,
    pilotReview: "an admin to review the earlier waves' results and say whether the next wave goes on",
  };
  return {
    who,
    what: what[gate.purpose],
    since: gate.openedAt,
    expiresAt: gate.expiresAt,
  };
}
