/**
 * What `npm run mutation` mutates (docs/testing.md#mutation): the modules that guard people and the irreversible step,
 * each with the jest tests that exercise it. A guard inside a larger file is named, not numbered: `file#name` is a
 * declaration (function, class, method, constant) and `file#name@text` the statement inside it that begins with
 * `text`. They are resolved to Stryker's line ranges at the start of every run, so an edit above a guard cannot
 * shift the range onto other code, and a renamed or removed guard stops the run (and test/lint/mutationModules.test.ts)
 * instead of silently mutating something else.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

/** The share of mutants (among those that compile and are covered or not) the tests must kill, per module. */
export const TARGET = 90;

export interface MutationModule {
  /** Short name: the report's file name and what `npm run mutation -- <name>` selects. */
  name: string;
  /** What the code guards, for the summary. */
  guards: string;
  /** What to mutate: a whole file (`path`), a declaration (`path#name`, `path#Class.member`) or a statement in it (`path#name@text`). */
  mutate: string[];
  /** The jest test files that exercise it (paths from the repository root). */
  tests: string[];
}

export const MODULES: MutationModule[] = [
  {
    name: "tally",
    guards: "the gate and its tally: k approvals from k people, one rejection stops, reminders, closing the links",
    mutate: [
      "activities/gateTasks.ts#tallyHumanTasks",
      "activities/gateTasks.ts#closeHumanTasks",
      "orchestrations/humanGate.ts",
      "shared/domain/waits.ts#gateDecision",
      "shared/domain/waits.ts#gateWakeAt",
      "shared/domain/waits.ts#reminderDue",
    ],
    tests: [
      "test/activities/tally.test.ts",
      "test/workflow/waitRules.test.ts",
      "test/orchestrations/approvalGate.test.ts",
      "test/orchestrations/mergeTask.test.ts",
      "test/orchestrations/verification.test.ts",
      "test/orchestrations/closing.test.ts",
    ],
  },
  {
    name: "closing",
    guards: "closing and the re-check: nothing is deleted unless the checklist holds again and no cancel came first",
    // verifyChecklist only wires the re-check to Graph and Peig; the scenarios test it (a mutant there would cost
    // minutes of scenarios each). The re-check's rule is compareWithApproved, mutated here.
    mutate: [
      "activities/closing.ts#beginDeletion",
      "activities/closing.ts#deletePeigMigrationConfiguration",
      "activities/closing.ts#deleteMigrationApp",
      "orchestrations/closeMigration.ts",
      "shared/domain/checklist.ts#readyForDeletion",
      "shared/domain/checklist.ts#readyForPeigConfirmation",
      "shared/domain/checklist.ts#compareWithApproved",
    ],
    tests: [
      "test/activities/beginDeletion.test.ts",
      "test/orchestrations/closing.test.ts",
      "test/orchestrations/cancel.test.ts",
      "test/domain/checklist.test.ts",
      "test/domain/recheck.test.ts",
      "test/app/apiModeOnly.test.ts",
    ],
  },
  {
    name: "taskLinks",
    guards: "task links and CSRF: only a link's own token opens its task, a page's CSRF token decides only that task",
    mutate: ["shared/tokens.ts", "shared/taskLinks.ts#newTaskLink"],
    tests: ["test/store/tokens.test.ts", "test/store/tasks.test.ts"],
  },
  {
    name: "decision",
    guards: "the store's once-only decision: exactly one caller decides a task, the others learn why not",
    mutate: ["shared/store/entityStore.ts#decideTask"],
    tests: ["test/store/tasks.test.ts"],
  },
  {
    name: "mailOnce",
    guards: "mail de-duplication: a send key already in Sent Items is not sent again",
    mutate: [
      "shared/mail/graphMail.ts#sendChunk@if (!(await this.alreadySent",
      "shared/mail/graphMail.ts#sendDraft",
      "shared/mail/graphMail.ts#alreadySent",
    ],
    tests: ["test/graph/mail.test.ts", "test/graph/mailSend.test.ts"],
  },
  {
    name: "targeting",
    guards:
      "reminder and Phase 2 targeting: who counts as not onboarded (reminded), who lacks a Peig account (Phase 2)",
    mutate: [
      "shared/domain/reconcile.ts#OperatorUserReconciliation.constructor",
      "shared/domain/reconcile.ts#countStates",
      "shared/domain/reconcile.ts#summarise@const usersWithoutPeigAccount",
      "shared/domain/reconcile.ts#reconcileApi@const results = users.map",
      "shared/domain/reconcile.ts#reconcileOperator",
      "activities/phase2.ts#batchOf",
      // One person's later deadline: whose reminders count down to it, and how long the window stays open for them.
      "shared/domain/personalDeadlines.ts#laterThanMigration",
      "shared/domain/personalDeadlines.ts#deadlineOf",
      "shared/domain/personalDeadlines.ts#remindedFor",
      "shared/domain/personalDeadlines.ts#windowDeadlines",
      "shared/domain/personalDeadlines.ts#openDeadlines",
      "shared/domain/personalDeadlines.ts#windowClosesAt",
    ],
    tests: [
      "test/domain/reconcile.test.ts",
      "test/domain/targeting.test.ts",
      "test/activities/phase2Batches.test.ts",
      "test/domain/personalDeadlines.test.ts",
    ],
  },
  {
    name: "waits",
    guards: "the orchestration waits: once per execution, a capped timer, the losing timer cancelled",
    mutate: ["orchestrations/common.ts#waitOnce", "shared/domain/waits.ts#sleepEnd"],
    tests: [
      "test/orchestrations/waitOnce.test.ts",
      "test/orchestrations/approvalGate.test.ts",
      "test/orchestrations/onboardingWindow.test.ts",
      "test/orchestrations/needsAttention.test.ts",
      "test/workflow/waitRules.test.ts",
    ],
  },
  {
    name: "rendering",
    guards: "page and e-mail rendering: every supplied string escaped, names isolated, only http(s) links",
    mutate: [
      "shared/mail/templates.ts#escapeHtml",
      "shared/mail/templates.ts#isolate",
      "shared/mail/templates.ts#escapeHtmlText",
      "shared/mail/templates.ts#checkedUrl",
      "shared/pages/layout.ts#escapeHtml",
      "shared/pages/layout.ts#nameHtml",
      "shared/pages/layout.ts#isolatedParts",
    ],
    tests: [
      "test/domain/escaping.property.test.ts",
      "test/domain/layout.test.ts",
      "test/domain/templates.test.ts",
      "test/domain/bidi.test.ts",
    ],
  },
];

/** A declaration's names: `name`, and `Class.name` for a class member. */
function declarationNames(node: ts.Node): string[] {
  const own = (n: ts.Node): string | undefined => {
    if (ts.isConstructorDeclaration(n)) return "constructor";
    const name = (n as { name?: ts.Node }).name;
    return name && ts.isIdentifier(name) ? name.text : undefined;
  };
  const name = own(node);
  if (!name) return [];
  const owner = ts.isClassElement(node) && ts.isClassDeclaration(node.parent) ? own(node.parent) : undefined;
  return owner ? [name, `${owner}.${name}`] : [name];
}

const isDeclaration = (node: ts.Node): boolean =>
  ts.isFunctionDeclaration(node) ||
  ts.isClassDeclaration(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isConstructorDeclaration(node) ||
  ts.isGetAccessorDeclaration(node) ||
  ts.isVariableStatement(node);

/** The nodes under `root` (outermost first) that `matches`; a match's own children are not searched. */
function findAll(root: ts.Node, matches: (node: ts.Node) => boolean): ts.Node[] {
  const found: ts.Node[] = [];
  // forEachChild stops at the first callback that returns a value: this one returns none.
  const visit = (node: ts.Node): void => {
    if (matches(node)) found.push(node);
    else ts.forEachChild(node, visit);
  };
  ts.forEachChild(root, visit);
  return found;
}

function lineOf(source: ts.SourceFile, position: number): number {
  return source.getLineAndCharacterOfPosition(position).line + 1;
}

/**
 * One `mutate` entry as Stryker takes it: the file itself, or `file:from-to` for the lines the name (and statement)
 * cover. Throws, naming the entry, when its file, name or statement is missing or not unique.
 */
export function resolveMutate(entry: string, root: string): string {
  const [file, anchor] = entry.split("#", 2);
  const fullPath = path.join(root, file);
  if (!fs.existsSync(fullPath)) throw new Error(`mutation: ${entry}: no file ${file}`);
  if (anchor === undefined) return file;
  const at = anchor.indexOf("@");
  const name = at < 0 ? anchor : anchor.slice(0, at);
  const statement = at < 0 ? undefined : anchor.slice(at + 1);
  const source = ts.createSourceFile(file, fs.readFileSync(fullPath, "utf8"), ts.ScriptTarget.Latest, true);

  const declarations = findAll(source, (node) => {
    if (!isDeclaration(node)) return false;
    if (ts.isVariableStatement(node))
      return node.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name);
    return declarationNames(node).includes(name);
  });
  if (declarations.length !== 1)
    throw new Error(`mutation: ${entry}: ${declarations.length} declarations named ${name} in ${file}, expected one`);
  let target = declarations[0];
  if (statement !== undefined) {
    const statements = findAll(target, (node) => ts.isStatement(node) && node.getText(source).startsWith(statement));
    if (statements.length !== 1)
      throw new Error(
        `mutation: ${entry}: ${statements.length} statements in ${name} begin with ${JSON.stringify(statement)}, expected one`,
      );
    target = statements[0];
  }
  return `${file}:${lineOf(source, target.getStart(source))}-${lineOf(source, target.getEnd())}`;
}

/** Every module's `mutate` entries resolved (see resolveMutate), or the first anchor that no longer matches. */
export function resolveModules(modules: MutationModule[], root: string): Map<string, string[]> {
  return new Map(modules.map((m) => [m.name, m.mutate.map((entry) => resolveMutate(entry, root))]));
}
