/**
 * THE figures of a migration: every number a page, an e-mail, the report, a task or the terminal shows about it
 * comes from `migrationFigures`, over what the store holds (the counts the last reconciliation pass wrote on the
 * migration row, how Phase 2 ended, and what the Peig admin reported in operator mode). Each figure carries its
 * sentence, so every view says the same number with the same words about what it counts.
 *
 * Operator mode cannot read Peig: the app counts sign-ins to the migration app, and what only Peig shows (Phase 2's
 * accounts created or already linked, pending requests, linked accounts) is what the Peig admin reported on
 * confirming a task, shown as theirs, with when.
 */
import { plural } from "./plural";
import { emptyWaveCounts, type WaveCounts } from "./waves";

/** How the app reaches Peig (the workflow's PeigMode). */
type PeigMode = "api" | "operator";

/** How many users stand where, as the last reconciliation pass recorded them on the migration row. */
export interface StoredCounts {
  inScope: number;
  onboarded: number;
  /** api: users whose own-address request waits in Users & Access. */
  pending: number;
  /** api: pending requests typed with another e-mail address (requests, not users). */
  mismatched: number;
  notOnboarded: number;
  /** Users an admin exempted who have not onboarded (not counted in notOnboarded; absent on older rows). */
  exempted?: number;
  /** Users with a Phase 2 account who have not finished onboarding (api: placeholder linked; operator: no sign-in yet). */
  phase2Created: number;
  phase2Failed: number;
  /** Users listed for Phase 2 (absent on rows written before it was counted). */
  phase2Planned?: number;
  /** api: listed users whose Phase 2 account exists (made by the app, or found made). */
  phase2Made?: number;
  /** Of the listed, the ones onboarded since (api: Peig shows them Active; operator: signed in to the migration app). */
  phase2SignedInSince?: number;
  /** A migration with waves: the same per wave, in wave order (shared/domain/waves.ts). */
  waves?: WaveCounts[];
}

/** Operator mode: what the Peig admin read in MS365 Identifiers after Create Peig Account for every listed user. */
export interface Phase2Report {
  created: number;
  /** Create Peig Account answered that the account is already linked (Peig's 409). */
  alreadyLinked: number;
  failed: number;
  by: string;
  at: string;
}

/** Operator mode: what the Peig admin read in Users & Access and MS365 Identifiers when confirming the checklist. */
export interface PeigChecklistReport {
  pendingRequests: number;
  notOnboarded: number;
  linkedAccounts: number;
  by: string;
  at: string;
}

/** Everything the Peig admin reported, the latest of each kind. */
export interface OperatorReports {
  /** The Application ID the Migration section showed after Save. */
  configuration?: { applicationId: string; by: string; at: string };
  phase2?: Phase2Report;
  checklist?: PeigChecklistReport;
  /** How many configurations the Migration section showed after Delete. */
  deletion?: { configurationsShown: number; by: string; at: string };
}

/** How Phase 2 ended, as the store records it. */
export interface Phase2Ending {
  created: number;
  failed: number;
  skipped: boolean;
}

export interface FiguresInput {
  mode: PeigMode;
  counts: StoredCounts;
  phase2: Phase2Ending | null;
  reports?: OperatorReports;
  /** People an admin gave a later deadline of their own (absent: none). */
  personalDeadlines?: number;
  /** The migration's waves, by name (absent: no waves). */
  waves?: readonly { name: string }[];
}

/** One number and the sentence that says what it counts. */
export interface Figure {
  value: number;
  text: string;
}

export interface Phase2Figures {
  /** skipped: users were listed, then an approver declined Phase 2. */
  status: "running" | "skipped" | "completed";
  /** Users listed for Phase 2: in scope without a Peig account when it began. */
  listed: Figure;
  /** api: accounts the app made (or found made); operator: what the Peig admin reported creating. */
  created: Figure;
  /** operator: Create Peig Account found the account already linked (absent in api mode: the app counts those as created). */
  alreadyLinked?: Figure;
  failed: Figure;
  /** Listed users onboarded since (what the app can see itself). */
  signedInSince: Figure;
  /** Who reported the operator figures, and when (absent in api mode or before the Peig admin reported). */
  reportedBy?: { by: string; at: string };
}

export interface MigrationFigures {
  mode: PeigMode;
  inScope: Figure;
  onboarded: Figure;
  /** api only: Peig is not visible in operator mode. */
  pendingRequests?: Figure;
  mismatchedRequests?: Figure;
  /** Users with a Phase 2 account who have not finished onboarding yet. */
  awaitingFirstSignIn: Figure;
  /** Users with no Peig account the app knows of, less the exempted. */
  notOnboarded: Figure;
  /** Users an admin exempted (with a reason) who have not onboarded: no mail, no Phase 2 account. */
  exempted: Figure;
  /** People an admin gave a later deadline of their own: reminded towards it; the window stays open for them. */
  extended: Figure;
  /** Null while Phase 2 has not begun, or was not needed. */
  phase2: Phase2Figures | null;
  /** operator: what the Peig admin last read in Peig when confirming the checklist. */
  peigChecklist?: { pendingRequests: Figure; notOnboarded: Figure; linkedAccounts: Figure; by: string; at: string };
  /** A migration with waves: each wave's people, in wave order. */
  waves?: WaveFigures[];
}

/** One wave's people: the pilot review shows the earlier waves' figures, the status page and report every wave's. */
export interface WaveFigures {
  name: string;
  inScope: Figure;
  onboarded: Figure;
  /** Not onboarded, not exempted, no Phase 2 account: who Phase 2 would list if the window ended now. */
  phase2Candidates: Figure;
  /** api: people whose request waits in Users & Access (own address, or typed with another e-mail): asking for help. */
  helpRequests?: Figure;
  /** api: of those, the requests typed with another e-mail address. */
  mismatched?: Figure;
  exempted: Figure;
  awaitingFirstSignIn: Figure;
}

const figure = (value: number, text: string): Figure => ({ value, text });

function phase2Figures(input: FiguresInput): Phase2Figures | null {
  const { mode, counts, phase2, reports } = input;
  const listed = counts.phase2Planned ?? 0;
  if (listed === 0 && (!phase2 || phase2.skipped)) return null;
  const status = !phase2 ? "running" : phase2.skipped ? "skipped" : "completed";
  const signedIn = counts.phase2SignedInSince ?? 0;
  const signedInSince = figure(
    signedIn,
    mode === "operator"
      ? `${signedIn} of the listed users signed in to the migration app since the list was made`
      : `${signedIn} of the listed users onboarded since the list was made`,
  );
  const listedFigure = figure(listed, `${plural(listed, "user")} without a Peig account listed for Phase 2`);
  const report = mode === "operator" ? reports?.phase2 : undefined;
  if (report) {
    return {
      status,
      listed: listedFigure,
      created: figure(report.created, `the Peig admin created ${plural(report.created, "Peig account")}`),
      alreadyLinked: figure(
        report.alreadyLinked,
        `${report.alreadyLinked} ${report.alreadyLinked === 1 ? "was" : "were"} already linked (Create Peig Account answered already linked)`,
      ),
      failed: figure(report.failed, `${report.failed} failed`),
      signedInSince,
      reportedBy: { by: report.by, at: report.at },
    };
  }
  // api: how Phase 2 ended once it has (the next pass's counts catch up later); the accounts made so far before.
  const created = mode === "operator" ? 0 : phase2 && !phase2.skipped ? phase2.created : (counts.phase2Made ?? 0);
  return {
    status,
    listed: listedFigure,
    created: figure(
      created,
      mode === "operator"
        ? "the Peig admin has not reported Phase 2's accounts"
        : `Phase 2 created ${created} Peig accounts`,
    ),
    failed: figure(counts.phase2Failed, `${counts.phase2Failed} failed`),
    signedInSince,
  };
}

/** The figures of a migration, from what the store holds. Pure; the same stored state always gives the same sentences. */
export function migrationFigures(input: FiguresInput): MigrationFigures {
  const { mode, counts, reports } = input;
  const operator = mode === "operator";
  const checklist = operator ? reports?.checklist : undefined;
  return {
    mode,
    inScope: figure(counts.inScope, `${counts.inScope} users in scope`),
    onboarded: figure(
      counts.onboarded,
      operator
        ? `${counts.onboarded} onboarded (signed in to the migration app)`
        : `${counts.onboarded} onboarded (linked to an Active Peig account)`,
    ),
    ...(operator
      ? {}
      : {
          pendingRequests: figure(counts.pending, `${counts.pending} with a pending request in Peig`),
          mismatchedRequests: figure(
            counts.mismatched,
            `${counts.mismatched} pending requests typed with another e-mail address`,
          ),
        }),
    awaitingFirstSignIn: figure(
      counts.phase2Created,
      `${counts.phase2Created} with a Phase 2 account, awaiting their first sign-in`,
    ),
    notOnboarded: figure(
      counts.notOnboarded,
      operator
        ? `${counts.notOnboarded} not onboarded (no sign-in to the migration app, no Phase 2 account)`
        : `${counts.notOnboarded} not onboarded (no Peig account linked)`,
    ),
    exempted: figure(
      counts.exempted ?? 0,
      `${counts.exempted ?? 0} exempted by an admin (no more mail, no Phase 2 account)`,
    ),
    extended: figure(
      input.personalDeadlines ?? 0,
      `${input.personalDeadlines ?? 0} given a later deadline of their own by an admin`,
    ),
    phase2: phase2Figures(input),
    ...(input.waves && counts.waves ? { waves: waveFigures(mode, input.waves, counts.waves) } : {}),
    ...(checklist
      ? {
          peigChecklist: {
            pendingRequests: figure(
              checklist.pendingRequests,
              `Users & Access showed ${checklist.pendingRequests} pending requests`,
            ),
            notOnboarded: figure(
              checklist.notOnboarded,
              `${checklist.notOnboarded} users with the status Not Onboarded`,
            ),
            linkedAccounts: figure(
              checklist.linkedAccounts,
              `MS365 Identifiers showed ${checklist.linkedAccounts} Microsoft 365 accounts linked to a Peig account`,
            ),
            by: checklist.by,
            at: checklist.at,
          },
        }
      : {}),
  };
}

function waveFigures(mode: PeigMode, waves: readonly { name: string }[], counts: readonly WaveCounts[]): WaveFigures[] {
  return waves.map((wave, i) => {
    const c = counts[i] ?? emptyWaveCounts();
    const waiting = c.pending + c.mismatched;
    return {
      name: wave.name,
      inScope: figure(c.inScope, `${plural(c.inScope, "person", "people")} in this wave`),
      onboarded: figure(c.onboarded, `${c.onboarded} onboarded`),
      phase2Candidates: figure(
        c.notOnboarded,
        `${c.notOnboarded} not onboarded yet (Phase 2 gives them an account after the last wave)`,
      ),
      ...(mode === "operator"
        ? {}
        : {
            helpRequests: figure(waiting, `${waiting} with a request waiting for an admin in Peig (asking for help)`),
            mismatched: figure(c.mismatched, `${c.mismatched} of them typed another e-mail address`),
          }),
      exempted: figure(c.exempted, `${c.exempted} exempted by an admin`),
      awaitingFirstSignIn: figure(
        c.phase2Created,
        `${c.phase2Created} with a Phase 2 account, awaiting their first sign-in`,
      ),
    };
  });
}

/** A wave's figures as sentences, in the order every view lists them. */
export function waveFigureLines(w: WaveFigures): string[] {
  return [w.inScope.text, ...waveFigureParts(w)];
}

/** A wave's figures in one line, as the digest and the report say it. */
export function waveLine(w: WaveFigures): string {
  return `${w.name}: ${w.inScope.text}; ${waveFigureParts(w).join("; ")}`;
}

function waveFigureParts(w: WaveFigures): string[] {
  return [
    w.onboarded.text,
    w.phase2Candidates.text,
    ...(w.helpRequests ? [w.helpRequests.text, w.mismatched!.text] : []),
    ...(w.awaitingFirstSignIn.value > 0 ? [w.awaitingFirstSignIn.text] : []),
    ...(w.exempted.value > 0 ? [w.exempted.text] : []),
  ];
}

/** Phase 2 in one sentence: "Phase 2 listed 112 users: the Peig admin created 85 …; 27 were already linked …; 0 failed; 30 … since". */
export function phase2Sentence(p: Phase2Figures): string {
  const parts = [p.created.text, ...(p.alreadyLinked ? [p.alreadyLinked.text] : []), p.failed.text];
  const head =
    p.status === "skipped"
      ? `Phase 2 was skipped (${p.listed.text})`
      : p.status === "running"
        ? `Phase 2 is under way (${p.listed.text})`
        : `Phase 2 (${p.listed.text}): ${parts.join("; ")}`;
  return `${head}; ${p.signedInSince.text}`;
}

/** The figures as sentences, in the order every view lists them. */
export function figureLines(f: MigrationFigures): string[] {
  return [
    f.inScope.text,
    f.onboarded.text,
    f.awaitingFirstSignIn.text,
    f.notOnboarded.text,
    ...(f.exempted.value > 0 ? [f.exempted.text] : []),
    ...(f.extended.value > 0 ? [f.extended.text] : []),
    ...(f.pendingRequests ? [f.pendingRequests.text] : []),
    ...(f.mismatchedRequests ? [f.mismatchedRequests.text] : []),
    ...(f.mode === "operator" && !f.peigChecklist
      ? ["pending requests in Peig: not visible to the app in operator mode (the Peig admin reports them)"]
      : []),
    ...(f.phase2 ? [phase2Sentence(f.phase2)] : []),
    ...(f.peigChecklist ? [peigChecklistSentence(f.peigChecklist)] : []),
  ];
}

export function peigChecklistSentence(c: NonNullable<MigrationFigures["peigChecklist"]>): string {
  return `The Peig admin ${c.by} reported: ${c.pendingRequests.text}, ${c.notOnboarded.text}; ${c.linkedAccounts.text}`;
}
