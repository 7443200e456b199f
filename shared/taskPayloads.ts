/**
 * Human tasks (docs/design.md#human-tasks): what each kind of task asks, who gets it, and what its page shows. One
 * mechanism serves the deletion approval (k of n approvers), the Phase 2 approval and the Peig admin's
 * operator steps. Payloads hold only what the page shows; never a token.
 */
import { z } from "zod";
import { decodeOrThrow } from "./decode";
import { waveFigureLines, type WaveFigures } from "./domain/figures";
import { formatHuman } from "./domain/humanTime";
import type { MergeList } from "./domain/merges";
import { plural } from "./domain/plural";
import type { Wave } from "./domain/waves";
import { describeOperatorStep, type OperatorStep, type PeigAccountsAgain } from "./peig/operatorSteps";
import type { ChecklistItem, HumanTaskPurpose, MigrationRequest } from "./workflow";

/** What a person can answer on a task page: approve or reject (approvals), done (operator steps). */
/** "delegate": the assignee handed the task to a colleague (never a button of `decisions`: its own form). */
export type TaskDecision = "approve" | "reject" | "done" | "delegate";

export interface TaskPayload {
  purpose: HumanTaskPurpose;
  title: string;
  summary: string;
  /** What happens when the task is approved or confirmed. */
  whatHappens: string[];
  irreversible: boolean;
  decisions: TaskDecision[];
  instructions?: string[];
  /** Values to copy exactly (Application ID, certificate). */
  values?: { label: string; value: string }[];
  evidence?: ChecklistItem[];
  /** Deletion approval: the Application ID whose configuration and Entra app are deleted. */
  deletesApplicationId?: string;
  requiredApprovals?: number;
  workspace: string;
  deadline: string;
  /** IANA zone the page and e-mail show times in (absent: UTC). */
  timeZone?: string;
  /** Merge task: the requests to merge and those left for the Peig admin's judgement. */
  merges?: MergeList;
  /** Button wording where the default ("Approve", "I have done this") would mislead. */
  labels?: Partial<Record<TaskDecision, string>>;
  /** Operator steps: the Peig console screens to open, by the names Peig's runbook gives them. */
  consolePages?: { name: string; path: string }[];
  /** Pilot review: each earlier wave's results (migrationFigures' sentences) when the review opened. */
  waveResults?: { wave: string; lines: string[] }[];
}

const text = z.string();
// Purposes and decisions are checked as text: the workflow's types name them, and a row is never read by a
// version that predates its purpose.
const payloadSchema = z.looseObject({
  purpose: z.custom<HumanTaskPurpose>((value) => typeof value === "string"),
  title: text,
  summary: text,
  whatHappens: z.array(text),
  irreversible: z.boolean(),
  decisions: z.array(z.custom<TaskDecision>((value) => typeof value === "string")),
  instructions: z.array(text).optional(),
  values: z.array(z.looseObject({ label: text, value: text })).optional(),
  evidence: z.array(z.custom<ChecklistItem>((value) => typeof value === "object" && value !== null)).optional(),
  deletesApplicationId: text.optional(),
  requiredApprovals: z.number().optional(),
  workspace: text,
  deadline: text,
  timeZone: text.optional(),
  merges: z.custom<MergeList>((value) => typeof value === "object" && value !== null).optional(),
  labels: z.record(z.string(), text).optional(),
  consolePages: z.array(z.looseObject({ name: text, path: text })).optional(),
  waveResults: z.array(z.looseObject({ wave: text, lines: z.array(text) })).optional(),
}) satisfies z.ZodType<TaskPayload>;

/** The payload of task `taskId`, checked where the store reads and writes it; throws naming the first field that does not fit. */
export const decodeTaskPayload = (value: unknown, taskId: string): TaskPayload =>
  decodeOrThrow(payloadSchema, value, `task ${taskId}: payload`);

/** The Peig admin's step behind an operator task (none for approvals and the api-mode merge task). */
export function operatorStepOf(purpose: HumanTaskPurpose): OperatorStep["kind"] | undefined {
  const steps: Partial<Record<HumanTaskPurpose, OperatorStep["kind"]>> = {
    peigConfiguration: "saveMigrationConfiguration",
    peigAccounts: "createPeigAccounts",
    peigChecklist: "confirmOnboardingComplete",
    peigDeletion: "deleteMigrationConfiguration",
  };
  return steps[purpose];
}

export interface PayloadFacts {
  request: MigrationRequest;
  appId?: string;
  certificatePem?: string;
  checklist?: ChecklistItem[];
  accountsToCreate?: { microsoft365UserId: string; userPrincipalName: string; displayName: string }[];
  /** Operator mode: users the workflow could not see onboard (no migration sign-in). */
  usersToCheck?: { userPrincipalName: string; displayName: string }[];
  /** Operator mode: people an admin exempted (no Peig account expected), with why. */
  exempted?: { userPrincipalName: string; displayName: string; reason: string }[];
  /** Merge task: the fresh list. */
  merges?: MergeList;
  /** Pilot review: the wave it starts, and the earlier waves' figures. */
  waveReview?: { wave: Wave; people: number; startsAt: Date | null; earlier: WaveFigures[] };
  /** Phase 2's task asked again: the round, and how the one before ended. */
  peigAccountsAgain?: PeigAccountsAgain;
}

export function taskPayload(purpose: HumanTaskPurpose, facts: PayloadFacts): TaskPayload {
  const base = {
    workspace: facts.request.workspace,
    deadline: facts.request.deadline,
    timeZone: facts.request.timeZone,
  };
  const operator = (step: OperatorStep, whatHappens: string[], irreversible = false): TaskPayload => {
    const described = describeOperatorStep(step);
    return {
      ...base,
      purpose,
      title: described.title,
      summary: `Peig workspace ${facts.request.workspace}: a step only a Peig admin can do.`,
      whatHappens,
      irreversible,
      decisions: ["done"],
      instructions: described.instructions,
      consolePages: described.consolePages,
    };
  };
  switch (purpose) {
    case "deletionApproval":
      return {
        ...base,
        purpose,
        title: "Approve deleting the Peig migration configuration",
        summary: `The onboarding of ${facts.request.domain} to Peig workspace ${facts.request.workspace} is complete. Deleting the migration configuration ends it.`,
        whatHappens: [
          `The migration configuration of the Microsoft 365 Active Provider in Peig is deleted (Application ID ${facts.appId ?? "unknown"}). This cannot be undone: nobody can onboard with Microsoft credentials afterwards.`,
          `The temporary Entra enterprise app PeigMigrationManager (${facts.appId ?? "unknown"}) is deleted.`,
          "The checklist is verified again right before deleting; if anything regressed, nothing is deleted.",
        ],
        irreversible: true,
        decisions: ["approve", "reject"],
        // The fourth item (configuration deleted) is what this approval leads to, not evidence for it.
        evidence: facts.checklist?.filter((item) => item.id !== "configurationDeleted"),
        deletesApplicationId: facts.appId,
        requiredApprovals: facts.request.requiredApprovals,
      };
    case "phase2Approval":
      return {
        ...base,
        purpose,
        title: `Approve creating Peig accounts for ${facts.accountsToCreate?.length ?? 0} users who missed the window`,
        summary: "Phase 2 of the runbook: these Microsoft 365 users did not onboard before the deadline.",
        whatHappens: [
          "For each listed user, Peig creates a placeholder account pre-linked to the Microsoft 365 account; the user then completes onboarding in the Peig app.",
        ],
        irreversible: false,
        decisions: ["approve", "reject"],
        instructions: (facts.accountsToCreate ?? [])
          .slice(0, 50)
          .map((a) => `${a.displayName} <${a.userPrincipalName}>`),
      };
    case "peigConfiguration":
      return {
        ...operator(
          {
            kind: "saveMigrationConfiguration",
            applicationId: facts.appId ?? "",
            idpCertificatePem: facts.certificatePem ?? "",
          },
          ["Users can onboard to Peig with their Microsoft 365 credentials; the onboarding window starts."],
        ),
        values: [
          { label: "Application ID", value: facts.appId ?? "" },
          { label: "IDP Certificate", value: facts.certificatePem ?? "" },
        ],
      };
    case "peigAccounts":
      return operator(
        {
          kind: "createPeigAccounts",
          accounts: facts.accountsToCreate ?? [],
          ...(facts.peigAccountsAgain ? { again: facts.peigAccountsAgain } : {}),
        },
        [
          "The listed users get placeholder Peig accounts, pre-linked. The app then checks the checklist: if your figures report failures, you are asked again for the accounts still missing.",
        ],
      );
    case "peigChecklist":
      return operator(
        {
          kind: "confirmOnboardingComplete",
          usersToCheck: facts.usersToCheck ?? [],
          ...(facts.exempted?.length ? { exempted: facts.exempted } : {}),
        },
        [
          "The app checks the figures you enter against what it knows (sign-ins, Phase 2's accounts, the users in scope): it cannot read Peig in operator mode, so they are the evidence that accounts are linked. Then the approvers are asked to approve deleting the migration configuration.",
        ],
      );
    case "peigDeletion":
      return operator(
        { kind: "deleteMigrationConfiguration" },
        ["The migration is closed; the Entra app PeigMigrationManager is deleted next."],
        true,
      );
    case "peigMerges":
      return mergePayload(base, facts);
    case "pilotReview":
      return pilotReviewPayload(base, facts);
  }
}

/** The admins' go-ahead for the next wave: the earlier waves' results, "Go on" or "Hold". */
function pilotReviewPayload(base: Pick<TaskPayload, "workspace" | "deadline" | "timeZone">, facts: PayloadFacts) {
  const review = facts.waveReview;
  if (!review) throw new Error("a pilot review needs the wave it starts and the earlier waves' figures");
  const zone = base.timeZone;
  const name = review.wave.name;
  const when = review.startsAt ? `on ${formatHuman(review.startsAt, zone)}` : "at once";
  return {
    ...base,
    purpose: "pilotReview",
    title: `Pilot review: start the wave "${name}"?`,
    summary: `Before the wave "${name}" is invited, the admins look at how the earlier waves went (as the last check counted them). Answer "Go on" to start it, or "Hold" to keep it waiting.`,
    whatHappens: [
      `The invitation goes to the ${review.people} people of the wave "${name}" ${when}; their reminders follow before its deadline, ${formatHuman(new Date(review.wave.deadline), zone)}.`,
      `"Hold" keeps the wave waiting: nothing is sent to it and the migration does not end. When you are ready, press "Ask for the pilot review again" on the status page.`,
    ],
    irreversible: false,
    decisions: ["approve", "reject"],
    labels: { approve: "Go on", reject: "Hold" },
    waveResults: review.earlier.map((w) => ({ wave: w.name, lines: waveFigureLines(w) })),
  } satisfies TaskPayload;
}

/**
 * The Peig admin's merge task (api mode): confirming makes the app Merge each listed request through the Peig
 * API, creating the user's Peig account first when there is none.
 */
function mergePayload(
  base: Pick<TaskPayload, "workspace" | "deadline" | "timeZone">,
  facts: PayloadFacts,
): TaskPayload {
  const merges = facts.merges ?? { merges: [], manual: [], more: 0 };
  const n = merges.merges.length;
  return {
    ...base,
    purpose: "peigMerges",
    title: `Merge ${plural(n, "pending request")} typed with another e-mail`,
    summary: `Peig workspace ${base.workspace}: these people typed an e-mail into Peig that is not their Microsoft 365 account's, so their onboarding request waits in Users & Access and their account stays unlinked.`,
    whatHappens: [
      `The app merges ${n === 1 ? "the request" : `each of the ${n} requests`} listed under "To merge" into the Peig account of the Microsoft 365 user shown, creating that Peig account first (Create Peig Account) where there is none. Each merge is recorded in the audit trail.`,
      'The checklist is checked again at once. Requests under "For you to resolve in Peig" are not touched: resolve them in Peig yourself.',
    ],
    irreversible: false,
    decisions: ["done", "reject"],
    labels: { done: n === 1 ? "Merge this request" : `Merge these ${n} requests`, reject: "Decline" },
    merges,
  };
}
