/**
 * The local durable engine: feeds histories to the captured orchestrator callbacks (the real
 * durable-functions replay engine) and carries out what they ask for, the way the Durable Task
 * extension would: activities, retries, timers (long timers too), external events,
 * sub-orchestrations, continueAsNew, custom status and termination.
 *
 * Task ids are the SDK's own: after each episode the engine reads the executor's open tasks (the
 * SDK also allocates ids for retry timers and long-timer segments, which no action names). What the
 * extension would do with the same actions is checked on every episode (checkShimAllocation): its
 * shim calls a DTFx API for every id-consuming action in the returned list, every child of every
 * Task.any/Task.all included, so the two sides agree only while each task object is yielded once and
 * no cancelled long timer grows a new segment. Where they would disagree, the instance fails loudly
 * (see docs/local-host.md, "As strict as Azure", and docs/durable-semantics.md).
 * Everything else the extension does and this host does not (entities, callHttp, suspend, rewind)
 * fails the instance with an explicit error instead of hanging.
 */
import { randomUUID } from "node:crypto";
import { InvocationContext } from "@azure/functions";
import { performance } from "node:perf_hooks";
import type { Clock } from "../../shared/clock";
import { compareVersions } from "../../shared/versions";
import { registry, type Registration } from "./fakeCore";
import {
  ActionType,
  EventType,
  historyEvent,
  LONG_TIMER_INTERVAL,
  MAX_SHORT_TIMER,
  toBindingHistory,
  UnsupportedActions,
  UPPER_SCHEMA_VERSION,
  type HistoryEvent,
} from "./history";
import {
  MemoryInstanceStore,
  type InstanceRecord,
  type InstanceStore,
  type PendingTimer,
  type PendingWork,
  type RuntimeStatus,
} from "./instanceStore";
import {
  actionOf,
  actionPaths,
  carriedEvents,
  openDurableTasks,
  openTaskPaths,
  shimProgress,
  type SdkExecutor,
  type ShimProgress,
} from "./shim";
import type { SdkAction, SdkRetryOptions, SdkTask } from "./sdkTasks";

export type { SdkAction, SdkTask };

export type ActivityHandler = (input: unknown, context: InvocationContext) => unknown;
export type LogSink = (level: string, source: string, message: string) => void;

export interface EngineOptions {
  clock: Clock;
  store?: InstanceStore;
  /** Replace registered activity handlers by name (tests). */
  activityOverrides?: Record<string, ActivityHandler>;
  /** Run every activity twice and keep the second result: Durable delivers activities at least once. */
  runActivitiesTwice?: boolean;
  /** Activities in flight at once (host.json maxConcurrentActivityFunctions). */
  activityConcurrency?: number;
  /**
   * The version this host runs (host.json defaultVersion): new instances get it when the caller names
   * none, and, as with versionMatchStrategy "CurrentOrOlder", instances started by a newer version are
   * left for a newer worker instead of being replayed by older code.
   */
  defaultVersion?: string;
  /**
   * For tests that demonstrate the problem only: report (as warnings) instead of
   * failing an orchestration whose task ids the extension would number differently from the SDK (a
   * re-yielded task, a cancelled long timer that grows a segment). Only tests that demonstrate the
   * problem should set it.
   */
  lenientReyield?: boolean;
  /**
   * When a TimerFired is delivered. Azure Storage sends it as a queue message whose visibility delay is
   * `FireAt - now` when the timer is scheduled (DurableTask.AzureStorage Messaging/TaskHubQueue.cs,
   * GetVisibilityDelay), and a queue's visibility timeout is a whole number of seconds (Queue service REST API,
   * Put Message: `visibilitytimeout=<int-seconds>`): the fraction of a second is dropped and the timer fires up
   * to a second early (0.45–0.94 s seen by conformance/). "wholeSeconds" (the default) does that; a number delivers
   * every timer that much early (never before now); 0 delivers at FireAt. The event still names its FireAt.
   */
  timerEarlyMs?: number | "wholeSeconds";
  /** Called with an execution's final state just before continueAsNew replaces it (history recording). */
  onContinueAsNew?: (record: InstanceRecord) => void;
  log?: LogSink;
}

/** An instance id the real client refuses (Durable extension DurableClient.cs StartNewAsync). */
export class InvalidInstanceIdError extends Error {}

export class InstanceNotFoundError extends Error {
  constructor(readonly instanceId: string) {
    super(`No instance with ID '${instanceId}' found.`);
  }
}
export class InstanceNotRunningError extends Error {
  constructor(
    readonly instanceId: string,
    readonly status: RuntimeStatus,
  ) {
    super(`Instance '${instanceId}' is ${status}; it accepts no more events.`);
  }
}

const TERMINAL: RuntimeStatus[] = ["Completed", "Failed", "Terminated"];
export const isTerminal = (s: RuntimeStatus) => TERMINAL.includes(s);

export interface SdkState {
  isDone: boolean;
  actions: SdkAction[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

/**
 * What the host did, counted as it happens: the bench turns it into Functions executions and the task hub's storage
 * transactions (local/bench/costModel.ts). A message is what the Azure Storage provider puts on a queue: an
 * ExecutionStarted (start, continue-as-new, sub-orchestration), a work item per activity, a control message per
 * activity result, timer, raised event and sub-orchestration result.
 */
export interface DurableWorkCounts {
  orchestratorEpisodes: number;
  orchestratorMs: number;
  activityExecutions: number;
  activityMs: number;
  queueMessages: number;
  /** History rows written by the episodes (each episode's new events). */
  historyEventsWritten: number;
  /** History rows the episodes replayed (what the provider reads back per work item without extended sessions). */
  historyEventsRead: number;
}

export class LocalDurableEngine {
  readonly clock: Clock;
  readonly counts: DurableWorkCounts = {
    orchestratorEpisodes: 0,
    orchestratorMs: 0,
    activityExecutions: 0,
    activityMs: 0,
    queueMessages: 0,
    historyEventsWritten: 0,
    historyEventsRead: 0,
  };
  private readonly store: InstanceStore;
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly inFlight = new Set<string>();
  private readonly activityConcurrency: number;
  private pumping?: Promise<void>;
  /** Set by kick(); a pump that is finishing re-checks it so no event is left waiting. */
  private dirty = false;
  /** Set while the pump waits on running activities: kick() wakes it to deliver what arrived. */
  private nudge?: () => void;
  private readonly saving = new Map<string, Promise<void>>();
  private stopped = false;
  private dead = false;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: EngineOptions) {
    this.clock = options.clock;
    this.store = options.store ?? new MemoryInstanceStore();
    this.activityConcurrency = options.activityConcurrency ?? 8;
  }

  /** Loads instances a previous host left in the store; running ones resume (pending activities run again). */
  async resume(): Promise<number> {
    let resumed = 0;
    for (const record of await this.store.loadAll()) {
      this.instances.set(record.instanceId, record);
      if (!isTerminal(record.status)) resumed++;
    }
    this.kick();
    return resumed;
  }

  // ---- client operations -------------------------------------------------------------------------

  async startNew(
    name: string,
    options: { instanceId?: string; input?: unknown; version?: string } = {},
  ): Promise<string> {
    this.orchestration(name);
    const instanceId = options.instanceId || randomUUID().replace(/-/g, "");
    validateInstanceId(instanceId);
    const existing = this.instances.get(instanceId);
    if (existing && !isTerminal(existing.status)) {
      throw new Error(`An instance with ID '${instanceId}' already exists and is ${existing.status}.`);
    }
    const record = this.newRecord(instanceId, name, options.input, options.version ?? this.options.defaultVersion);
    this.instances.set(instanceId, record);
    this.counts.queueMessages++;
    await this.persist(record);
    this.kick();
    return instanceId;
  }

  async raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<void> {
    const record = this.require(instanceId);
    if (isTerminal(record.status)) throw new InstanceNotRunningError(instanceId, record.status);
    record.inbox.push(
      historyEvent(EventType.EventRaised, this.clock.now(), { Name: eventName, Input: JSON.stringify(data ?? null) }),
    );
    this.counts.queueMessages++;
    await this.persist(record);
    this.kick();
  }

  async terminate(instanceId: string, reason: string): Promise<void> {
    const record = this.require(instanceId);
    if (isTerminal(record.status)) throw new InstanceNotRunningError(instanceId, record.status);
    const terminated = historyEvent(EventType.ExecutionTerminated, this.clock.now(), { Input: JSON.stringify(reason) });
    // Like the extension: DTFx replays the orchestrator once more with ExecutionTerminated among the episode's
    // new events, plays that event after the orchestrator ran, and ignores what it returned (seen by conformance/).
    const history = [...record.history, historyEvent(EventType.OrchestratorStarted, this.clock.now()), terminated];
    await runOrchestrator(
      this.orchestration(record.name),
      {
        history,
        playedCount: record.history.length,
        instanceId: record.instanceId,
        input: record.input,
        parentInstanceId: record.parent?.instanceId,
      },
      this.context(record.name) as OrchestratorContext,
    );
    this.finish(record, "Terminated", { output: reason });
    record.history.push(terminated);
    await this.persist(record);
    this.kick();
  }

  async purge(instanceId: string): Promise<boolean> {
    const record = this.instances.get(instanceId);
    if (!record) return false;
    if (!isTerminal(record.status))
      throw new Error(`Instance '${instanceId}' is ${record.status}; only finished instances can be purged.`);
    this.instances.delete(instanceId);
    await this.store.delete(instanceId);
    return true;
  }

  getInstance(instanceId: string): InstanceRecord | undefined {
    return this.instances.get(instanceId);
  }

  listInstances(): InstanceRecord[] {
    return [...this.instances.values()];
  }

  /** The earliest pending durable timer across all instances: `fireAt` is when it is delivered (see timerEarlyMs). */
  nextTimer(): { instanceId: string; taskId: number; fireAt: Date; scheduledFor: string } | undefined {
    let best: { instanceId: string; taskId: number; fireAt: Date; scheduledFor: string } | undefined;
    for (const record of this.instances.values()) {
      if (isTerminal(record.status)) continue;
      for (const t of record.timers) {
        const at = this.deliveryTime(t);
        if (!best || at < best.fireAt || (at.getTime() === best.fireAt.getTime() && t.taskId < best.taskId)) {
          best = { instanceId: record.instanceId, taskId: t.taskId, fireAt: at, scheduledFor: t.fireAt };
        }
      }
    }
    return best;
  }

  private deliveryTime(timer: PendingTimer): Date {
    const early = this.options.timerEarlyMs ?? "wholeSeconds";
    const fireAt = Date.parse(timer.fireAt);
    if (early === "wholeSeconds") {
      const created = timer.createdAt ? Date.parse(timer.createdAt) : fireAt;
      return new Date(fireAt <= created ? fireAt : created + Math.floor((fireAt - created) / 1000) * 1000);
    }
    return new Date(early > 0 ? Math.max(fireAt - early, this.clock.now().getTime()) : fireAt);
  }

  /** Fires every timer due at or before the clock's now, in (fireAt, id) order. Returns how many fired. */
  async fireDueTimers(): Promise<number> {
    let fired = 0;
    for (;;) {
      const next = this.nextTimer();
      if (!next || next.fireAt > this.clock.now()) return fired;
      const record = this.instances.get(next.instanceId)!;
      record.timers = record.timers.filter((t) => t.taskId !== next.taskId);
      record.inbox.push(
        historyEvent(EventType.TimerFired, this.clock.now(), { TimerId: next.taskId, FireAt: next.scheduledFor }),
      );
      await this.persist(record);
      fired++;
      this.kick();
    }
  }

  /** Resolves when no instance has undelivered events and no activity is running. */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
    await Promise.all(this.saving.values());
  }

  /** Called after every pump; the real-time scheduler uses it to re-arm its timer. */
  onIdle(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  /** Simulates the process dying: nothing more is run or saved (tests of resumption). */
  crash(): void {
    this.stopped = true;
    this.dead = true;
  }

  // ---- the work loop -----------------------------------------------------------------------------

  kick(): void {
    this.dirty = true;
    this.nudge?.();
    if (this.stopped || this.pumping) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.dirty && !this.stopped) this.kick();
      else for (const l of this.listeners) l();
    });
  }

  private async pump(): Promise<void> {
    const running = new Map<string, Promise<void>>();
    for (;;) {
      this.dirty = false;
      if (this.stopped && running.size === 0) return;
      // As the extension does, an instance's messages (events, timers, activity and sub-orchestration results)
      // are delivered whenever it is not running an episode, its activities in flight or not: DTFx dispatches
      // what has arrived as one work item (TaskOrchestrationDispatcher.cs), so what arrives during an episode
      // comes together in the next one, and an event raised while an activity runs has an episode of its own.
      const ready = this.stopped
        ? undefined
        : [...this.instances.values()].find((r) => r.inbox.length > 0 && !isTerminal(r.status) && this.runsVersion(r));
      if (ready) {
        await this.episode(ready);
        continue;
      }
      if (!this.stopped) {
        for (const [record, work] of this.pendingWork()) {
          if (running.size >= this.activityConcurrency) break;
          const key = `${record.instanceId}#${record.executionId}#${work.taskId}`;
          if (this.inFlight.has(key)) continue;
          this.inFlight.add(key);
          const job = this.execute(record, work).finally(() => {
            this.inFlight.delete(key);
            running.delete(key);
          });
          running.set(key, job);
        }
      }
      if (running.size === 0) return;
      // Wait for an activity to finish, or for a new event (kick), which is delivered while activities still run.
      if (this.dirty) continue;
      await Promise.race([...running.values(), new Promise<void>((resolve) => (this.nudge = resolve))]);
      this.nudge = undefined;
    }
  }

  /** versionMatchStrategy "CurrentOrOlder": this host replays its own version and older ones only. */
  private runsVersion(record: InstanceRecord): boolean {
    const current = this.options.defaultVersion;
    return !current || !record.version || compareVersions(record.version, current) <= 0;
  }

  /**
   * Activities are never gated by version: DTFx checks versionMatchStrategy only when it dispatches an
   * orchestration work item (DurableTask.Core TaskOrchestrationDispatcher.cs, VersioningSettings
   * .CompareVersions), its activity dispatcher has no such check.
   */
  private *pendingWork(): Generator<[InstanceRecord, PendingWork]> {
    for (const record of this.instances.values()) {
      if (isTerminal(record.status)) continue;
      for (const work of record.work) yield [record, work];
    }
  }

  private async execute(record: InstanceRecord, work: PendingWork): Promise<void> {
    const executionId = record.executionId;
    const current = () =>
      this.instances.get(record.instanceId) === record &&
      record.executionId === executionId &&
      !isTerminal(record.status);
    if (work.kind === "subOrchestration") {
      record.work = record.work.filter((w) => w !== work);
      await this.startSubOrchestration(record, work);
      return;
    }
    let completion: HistoryEvent;
    let result: unknown;
    try {
      const handler = this.activity(work.name);
      const started = performance.now();
      this.counts.activityExecutions++;
      this.counts.queueMessages += 2; // the work item, then the result for the orchestration
      try {
        result = await handler(clone(work.input), this.context(work.name));
        if (this.options.runActivitiesTwice) result = await handler(clone(work.input), this.context(work.name));
      } finally {
        this.counts.activityMs += performance.now() - started;
      }
      completion = historyEvent(EventType.TaskCompleted, this.clock.now(), {
        TaskScheduledId: work.taskId,
        Result: JSON.stringify(result ?? null),
      });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.options.log?.("warning", work.name, `activity failed: ${error.stack ?? error.message}`);
      completion = historyEvent(EventType.TaskFailed, this.clock.now(), {
        TaskScheduledId: work.taskId,
        // As the extension words it: the message after the Functions host's "Exception:" label keeps its
        // leading space (OutOfProcExceptionHelpers.cs MessageLabel, azure-functions-host RpcException.cs), and
        // TaskActivityShim.cs prefixes "Activity function '<name>' failed: ", hence two spaces.
        Reason: `Activity function '${work.name}' failed:  ${error.message}`,
        Details: error.stack ?? error.message,
      });
    }
    if (!current()) return; // the instance moved on (terminated, continued as new): drop the result
    record.work = record.work.filter((w) => w !== work);
    record.inbox.push(completion);
    await this.persist(record);
  }

  private async startSubOrchestration(parent: InstanceRecord, work: PendingWork): Promise<void> {
    const childId = work.instanceId!;
    const existing = this.instances.get(childId);
    if (existing && !isTerminal(existing.status)) {
      parent.inbox.push(
        historyEvent(EventType.SubOrchestrationInstanceFailed, this.clock.now(), {
          TaskScheduledId: work.taskId,
          Reason: `An orchestration with instance ID '${childId}' already exists and is ${existing.status}.`,
          Details: "",
        }),
      );
      await this.persist(parent);
      return;
    }
    // Like the extension: a sub-orchestration started without a version gets the host's default.
    const child = this.newRecord(childId, work.name, work.input, work.version ?? this.options.defaultVersion);
    child.parent = { instanceId: parent.instanceId, taskId: work.taskId, executionId: parent.executionId };
    this.instances.set(childId, child);
    this.counts.queueMessages += 2; // its ExecutionStarted, and later its result to the parent
    await this.persist(child);
    await this.persist(parent);
  }

  // ---- one episode -------------------------------------------------------------------------------

  private async episode(record: InstanceRecord): Promise<void> {
    const registration = this.orchestration(record.name);
    const delivered = record.inbox.splice(0, record.firstEpisode ?? record.inbox.length);
    delete record.firstEpisode;
    const playedCount = record.history.length;
    const started = historyEvent(EventType.OrchestratorStarted, this.clock.now());
    const history = [...record.history, started, ...delivered];

    const context = this.context(record.name) as OrchestratorContext;
    const episodeStarted = performance.now();
    this.counts.orchestratorEpisodes++;
    this.counts.historyEventsRead += playedCount;
    const run = await runOrchestrator(
      registration,
      {
        history,
        playedCount,
        instanceId: record.instanceId,
        input: record.input,
        parentInstanceId: record.parent?.instanceId,
      },
      context,
    );
    const state = run.state;

    record.history = history;
    record.lastUpdatedTime = this.clock.now().toISOString();

    const actions = state.actions?.[0] ?? [];
    // What the extension fails at once, whatever is still open: a custom status over its limit, actions
    // that differ from the history (NonDeterministicOrchestrationException), what this host does not support,
    // task ids the shim would number differently.
    let failure: { message: string; details?: string } | undefined = customStatusTooLarge(
      record.name,
      state.customStatus,
    );
    if (!failure) record.customStatus = state.customStatus ?? record.customStatus ?? null;
    failure ??= this.checkDeterminism(record, actions) ?? unsupported(actions);
    let progress: ShimProgress | undefined;
    let open = 0;
    if (!failure) {
      const executor = context.df?.taskOrchestratorExecutor;
      if (!executor)
        throw new Error(
          "durable-functions did not expose its executor: the pinned version changed; see local/host/engine.ts",
        );
      failure = this.checkShimAllocation(record, actions, executor.openTasks);
      if (!failure) {
        record.taskPaths = { ...record.taskPaths, ...openTaskPaths(executor, actionPaths(actions)) };
        progress = shimProgress(actions, record.history, executor, record.taskPaths);
        failure = this.scheduleOpenTasks(record, executor.openTasks, progress.invoked);
        open = openDurableTasks(actions, record.history, record.scheduledIds, record.taskPaths).length;
      }
    }
    record.history.push(historyEvent(EventType.OrchestratorCompleted, this.clock.now()));
    record.maxHistoryLength = Math.max(record.maxHistoryLength, record.history.length);
    this.counts.orchestratorMs += performance.now() - episodeStarted;
    this.counts.historyEventsWritten += record.history.length - playedCount;

    // The function's own result (its output, its failure, continueAsNew) counts only once the shim has
    // played every action and DTFx has no open task left (see shim.ts); until then the execution runs on.
    const continueAsNew = actions.find((a) => a.actionType === ActionType.ContinueAsNew);
    const returned = !!run.failure || state.isDone;
    if (!failure && returned && progress && (!progress.done || open > 0)) {
      this.noteHeld(record, progress, open);
      record.status = "Running";
    } else if (failure || run.failure) {
      failure ??= run.failure!;
      record.history.push(
        historyEvent(EventType.ExecutionFailed, this.clock.now(), {
          Reason: failure.message,
          Details: failure.details,
        }),
      );
      this.finish(record, "Failed", { failure });
    } else if (state.isDone && continueAsNew) {
      this.continueAsNew(record, decodeInput(continueAsNew.input), carriedEvents(record.history, progress!.doneAt));
    } else if (state.isDone) {
      record.history.push(
        historyEvent(EventType.ExecutionCompleted, this.clock.now(), { Result: JSON.stringify(state.output ?? null) }),
      );
      this.finish(record, "Completed", { output: state.output ?? null });
    } else {
      record.status = "Running";
    }
    await this.persist(record);
  }

  /** Once per execution: the function returned but the extension keeps the execution open (shim.ts). */
  private noteHeld(record: InstanceRecord, progress: ShimProgress, open: number): void {
    const why = !progress.done
      ? "the extension's shim is still awaiting an earlier action (a Task.all waits for every child, failed or not)"
      : `${open === 1 ? "1 task it scheduled is" : `${open} tasks it scheduled are`} still open (a timer neither fired nor cancelled, an activity or sub-orchestration still running)`;
    const message =
      `orchestration '${record.name}' (instance ${record.instanceId}) returned, but ${why}: like the Durable extension ` +
      "(DTFx completes an execution only when nothing is open), the execution stays Running until then. Cancel losing timers.";
    if (!record.warnings.includes(message)) this.warn(record, message);
  }

  /** A replay must emit the same actions it emitted before; the JS SDK does not check this itself. */
  private checkDeterminism(record: InstanceRecord, actions: SdkAction[]): { message: string } | undefined {
    const signatures = actions.map(signature);
    const previous = record.actionSignatures;
    for (let i = 0; i < previous.length; i++) {
      if (signatures[i] !== previous[i]) {
        return {
          message:
            `Non-deterministic orchestrator '${record.name}' (instance ${record.instanceId}): on replay, action #${i} was ` +
            `${signatures[i] ?? "missing"} but the history has ${previous[i]}. Orchestrators must not use Date.now(), ` +
            `Math.random(), I/O or anything else that changes between replays.`,
        };
      }
    }
    record.actionSignatures = signatures;
    return undefined;
  }

  /**
   * What the extension's shim would do with this episode's actions. OutOfProcOrchestrationShim.cs
   * (azure-functions-durable-extension, ProcessAsyncActionsV2 and InvokeAPIFromAction) calls the DTFx
   * API of every action in the list, recursing into WhenAny/WhenAll compoundActions, and DTFx gives
   * each call the next sequence number (DurableTask.Core TaskOrchestrationContext.cs, idCounter++).
   * It cannot tell that an action stands for a task it already scheduled (durable-js issue 574).
   * The SDK returns a re-yielded task's action object again inside the new compound action; in this
   * process that is the same object, so a repeat of an object in the list is a task the extension
   * would schedule anew.
   */
  private checkShimAllocation(
    record: InstanceRecord,
    actions: SdkAction[],
    openTasks: Record<string, SdkTask>,
  ): { message: string } | undefined {
    const messages = findReyields(actions, openTasks).map(
      (r) => `orchestration '${record.name}' (instance ${record.instanceId}) ${r}`,
    );
    if (messages.length === 0) return undefined;
    if (!this.options.lenientReyield) return { message: messages[0] };
    for (const message of messages) if (!record.warnings.includes(message)) this.warn(record, message);
    return undefined;
  }

  /**
   * Turns the SDK's new open tasks into scheduled work, timers and sub-orchestrations: those of actions the
   * extension's shim has invoked by now (`invoked`, shim.ts); the others wait until it gets to them.
   */
  private scheduleOpenTasks(
    record: InstanceRecord,
    openTasks: Record<string, SdkTask>,
    invoked: Set<SdkAction>,
  ): { message: string } | undefined {
    const now = this.clock.now();
    const known = new Set(record.scheduledIds);
    const scheduled: HistoryEvent[] = [];
    for (const task of Object.values(openTasks)) {
      if (typeof task.id !== "number" || known.has(task.id)) continue;
      const invokedAs = actionOf(task);
      if (invokedAs && !invoked.has(invokedAs)) continue;
      const id = task.id;
      const action = task.actionObj === "noOp" ? undefined : task.actionObj;
      const retry = task.parent?.retryOptions ? task.parent : undefined;
      const phantom = phantomSegment(task);
      if (phantom) {
        const message = `orchestration '${record.name}' (instance ${record.instanceId}) ${phantom}`;
        if (!this.options.lenientReyield) return { message };
        if (!record.warnings.includes(message)) this.warn(record, message);
      }
      if (action?.actionType === ActionType.CreateTimer) {
        const fireAt = new Date(action.fireAt!);
        record.timers.push({ taskId: id, fireAt: fireAt.toISOString(), createdAt: now.toISOString() });
        scheduled.push(historyEvent(EventType.TimerCreated, now, { EventId: id, FireAt: fireAt.toISOString() }));
        this.counts.queueMessages++;
      } else if (!action && retry?.isWaitingOnTimer) {
        // The SDK waits on a timer between attempts and after the last one, like DTFx's RetryInterceptor
        // (DurableTask.Core RetryInterceptor.cs, Invoke). Since DTFx PR 661 the timer after the last
        // attempt fires at once ("Dummy timer for back-compat"): the failure surfaces without a wait.
        const last = retry.attemptNumber! > retry.retryOptions!.maxNumberOfAttempts;
        const fireAt = last ? now : new Date(now.getTime() + retryDelay(retry.retryOptions!, retry.attemptNumber! - 1));
        record.timers.push({ taskId: id, fireAt: fireAt.toISOString(), createdAt: now.toISOString() });
        scheduled.push(historyEvent(EventType.TimerCreated, now, { EventId: id, FireAt: fireAt.toISOString() }));
        this.counts.queueMessages++;
      } else {
        const source = action ?? (retry?.actionObj as SdkAction | undefined);
        if (!source) return { message: `The local host does not know how to schedule task ${id} of '${record.name}'.` };
        const input = decodeInput(source.input);
        if (source.actionType === ActionType.CallActivity || source.actionType === ActionType.CallActivityWithRetry) {
          this.activity(source.functionName!); // fail now, not later, when the activity does not exist
          record.work.push({ kind: "activity", taskId: id, name: source.functionName!, input });
          scheduled.push(
            historyEvent(EventType.TaskScheduled, now, {
              EventId: id,
              Name: source.functionName,
              Input: JSON.stringify(input ?? null),
            }),
          );
        } else if (
          source.actionType === ActionType.CallSubOrchestrator ||
          source.actionType === ActionType.CallSubOrchestratorWithRetry
        ) {
          this.orchestration(source.functionName!);
          const childId = source.instanceId || `${record.instanceId}:${id}`;
          record.work.push({
            kind: "subOrchestration",
            taskId: id,
            name: source.functionName!,
            input,
            instanceId: childId,
            version: source.version,
          });
          scheduled.push(
            historyEvent(EventType.SubOrchestrationInstanceCreated, now, {
              EventId: id,
              Name: source.functionName,
              InstanceId: childId,
              Input: JSON.stringify(input ?? null),
            }),
          );
        } else {
          return { message: `The local host cannot schedule action type ${source.actionType} (task ${id}).` };
        }
      }
      record.scheduledIds.push(id);
    }
    // DTFx has no "timer cancelled" event: cancelling only stops the orchestrator waiting, and the
    // TimerFired still arrives (DurableTask.Core TaskOrchestrationContext.cs CreateTimer: the cancel
    // token only removes the open task). A cancelled timer stays among the SDK's open tasks with its
    // action flagged; a long timer's segments carry the flag on their parent's action. They are kept
    // and fire; the flag only tells the "completed with a pending timer" warning to ignore them.
    for (const t of record.timers) {
      const task = openTasks[t.taskId];
      const action = task && task.actionObj !== "noOp" ? task.actionObj : undefined;
      if (action?.isCanceled || task?.parent?.isCanceled) t.cancelled = true;
    }
    record.history.push(...scheduled);
    return undefined;
  }

  /**
   * DTFx ends the execution and starts the next one with `carried`, the EventRaised events it played after the
   * shim invoked ContinueAsNew (shim.ts, carriedEvents), even ones the JS code consumed: the extension's shim
   * (OutOfProcOrchestrationShim.cs) runs the JS orchestrator when DTFx replays ExecutionStarted, and a Task.any
   * whose losing timer is cancelled completes at once, so ContinueAsNew is often invoked before DTFx plays the
   * episode's new events; from then on TaskOrchestrationContext.HandleEventRaisedEvent adds each EventRaised to
   * the next iteration (BehaviorOnContinueAsNew.Carryover, the default in TaskOrchestrationDispatcherSettings.cs).
   * TaskOrchestrationDispatcher.cs then starts the new execution with OrchestratorStarted, ExecutionStarted and
   * those events only, and runs it at once; events that arrived meanwhile wait for the next episode.
   */
  private continueAsNew(record: InstanceRecord, input: unknown, carried: HistoryEvent[]): void {
    record.history.push(historyEvent(EventType.ContinueAsNew, this.clock.now()));
    this.counts.queueMessages++;
    this.options.onContinueAsNew?.(record);
    record.executionId++;
    record.continuedAsNew++;
    record.input = input;
    record.history = [];
    record.timers = [];
    record.work = [];
    record.scheduledIds = [];
    record.taskPaths = {};
    record.actionSignatures = [];
    record.status = "Running";
    const started = historyEvent(EventType.ExecutionStarted, this.clock.now(), {
      Name: record.name,
      Input: JSON.stringify(input ?? null),
      Version: record.version,
    });
    // Events that arrived but were not delivered stay in the inbox, after the first episode's.
    record.inbox.unshift(started, ...carried);
    record.firstEpisode = 1 + carried.length;
  }

  private finish(
    record: InstanceRecord,
    status: RuntimeStatus,
    result: { output?: unknown; failure?: { message: string; details?: string } },
  ): void {
    record.status = status;
    record.output = result.output ?? null;
    record.failure = result.failure;
    record.timers = [];
    record.work = [];
    record.inbox = [];
    record.lastUpdatedTime = this.clock.now().toISOString();
    const parent = record.parent && this.instances.get(record.parent.instanceId);
    if (!parent || isTerminal(parent.status) || parent.executionId !== record.parent!.executionId) return;
    parent.inbox.push(
      status === "Completed"
        ? historyEvent(EventType.SubOrchestrationInstanceCompleted, this.clock.now(), {
            TaskScheduledId: record.parent!.taskId,
            Result: JSON.stringify(record.output ?? null),
          })
        : historyEvent(EventType.SubOrchestrationInstanceFailed, this.clock.now(), {
            TaskScheduledId: record.parent!.taskId,
            Reason: `Sub-orchestration '${record.name}' (${record.instanceId}) ${status === "Terminated" ? "was terminated" : "failed"}: ${
              result.failure?.message ?? String(result.output)
            }`,
            Details: result.failure?.details ?? "",
          }),
    );
    void this.persist(parent);
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private newRecord(instanceId: string, name: string, input: unknown, version: string | undefined): InstanceRecord {
    const now = this.clock.now().toISOString();
    return {
      instanceId,
      name,
      version,
      status: "Pending",
      input: input ?? null,
      output: null,
      customStatus: null,
      createdTime: now,
      lastUpdatedTime: now,
      executionId: 0,
      continuedAsNew: 0,
      history: [],
      inbox: [
        historyEvent(EventType.ExecutionStarted, new Date(now), {
          Name: name,
          Input: JSON.stringify(input ?? null),
          Version: version,
        }),
      ],
      timers: [],
      work: [],
      scheduledIds: [],
      actionSignatures: [],
      warnings: [],
      maxHistoryLength: 0,
    };
  }

  private orchestration(name: string): Registration {
    const reg = registry.get(name);
    if (!reg || bindingType(reg) !== "orchestrationTrigger") {
      throw new Error(
        `No orchestration named '${name}' is registered (registered: ${this.names("orchestrationTrigger").join(", ") || "none"}).`,
      );
    }
    return reg;
  }

  private activity(name: string): ActivityHandler {
    const override = this.options.activityOverrides?.[name];
    if (override) return override;
    const reg = registry.get(name);
    if (!reg || bindingType(reg) !== "activityTrigger") {
      throw new Error(
        `No activity named '${name}' is registered (registered: ${this.names("activityTrigger").join(", ") || "none"}).`,
      );
    }
    return reg.callback as ActivityHandler;
  }

  private names(type: string): string[] {
    return [...registry.values()].filter((r) => bindingType(r) === type).map((r) => r.metadata.name);
  }

  private context(functionName: string): InvocationContext {
    const log = this.options.log;
    return new InvocationContext({
      functionName,
      invocationId: randomUUID(),
      logHandler: (level, ...args) => log?.(level, functionName, args.map(String).join(" ")),
    });
  }

  private require(instanceId: string): InstanceRecord {
    const record = this.instances.get(instanceId);
    if (!record) throw new InstanceNotFoundError(instanceId);
    return record;
  }

  private warn(record: InstanceRecord, message: string): void {
    record.warnings.push(message);
    this.options.log?.("warning", "durable-host", message);
  }

  /** Saves are serialised per instance so that a later state never loses to an earlier one. */
  private persist(record: InstanceRecord): Promise<void> {
    if (this.dead) return Promise.resolve();
    const previous = this.saving.get(record.instanceId) ?? Promise.resolve();
    const next = previous.then(() => this.store.save(record));
    this.saving.set(record.instanceId, next);
    void next.finally(() => {
      if (this.saving.get(record.instanceId) === next) this.saving.delete(record.instanceId);
    });
    return next;
  }
}

export type OrchestratorContext = InvocationContext & {
  df?: { taskOrchestratorExecutor?: SdkExecutor };
};

/**
 * One episode of the real replay engine: the DurableOrchestrationBindingInfo the extension sends
 * (the first `playedCount` events already played) in, the OrchestratorState out, or the state the SDK
 * packs into its OrchestrationFailureError when the orchestrator throws.
 */
export async function runOrchestrator(
  registration: Registration,
  execution: {
    history: HistoryEvent[];
    playedCount: number;
    instanceId: string;
    input: unknown;
    parentInstanceId?: string;
  },
  context: OrchestratorContext,
): Promise<{ state: SdkState; failure?: { message: string; details?: string } }> {
  const binding = {
    history: toBindingHistory(execution.history, execution.playedCount),
    instanceId: execution.instanceId,
    isReplaying: execution.playedCount > 0,
    upperSchemaVersion: UPPER_SCHEMA_VERSION,
    input: clone(execution.input),
    parentInstanceId: execution.parentInstanceId,
    maximumShortTimerDuration: MAX_SHORT_TIMER,
    longRunningTimerIntervalDuration: LONG_TIMER_INTERVAL,
    defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
  };
  try {
    return { state: (await registration.callback(binding, context)) as SdkState };
  } catch (err) {
    const parsed = parseOrchestrationFailure(err);
    return {
      state: parsed.state ?? { isDone: false, actions: [[]] },
      failure: { message: parsed.message, details: parsed.details },
    };
  }
}

/**
 * The extension refuses a custom status whose JSON is over 16 KB in UTF-16 (azure-functions-durable-extension
 * DurableOrchestrationContext.SetCustomStatus, MaxCustomStatusPayloadSizeInKB = 16, through
 * MessagePayloadDataConverter.Serialize: `(int)(Encoding.Unicode.GetByteCount(json) / 1024.0) > maxSizeInKB`).
 * The shim sets the status before it plays any action (OutOfProcOrchestrationShim.ScheduleDurableTaskEvents),
 * so the orchestration fails in that episode, open tasks or not.
 */
export function customStatusTooLarge(name: string, customStatus: unknown): { message: string } | undefined {
  if (customStatus === undefined || customStatus === null) return undefined;
  const kb = Math.floor(Buffer.byteLength(JSON.stringify(customStatus), "utf16le") / 1024);
  if (kb <= MAX_CUSTOM_STATUS_KB) return undefined;
  return {
    message:
      `Orchestrator function '${name}' failed: The UTF-16 size of the JSON-serialized payload must not exceed ` +
      `${MAX_CUSTOM_STATUS_KB} KB. The current payload size is ${kb} KB.`,
  };
}
const MAX_CUSTOM_STATUS_KB = 16;

function bindingType(reg: Registration): string | undefined {
  return Object.values(reg.metadata.bindings).find((b) => b.direction === "in" && b.type.endsWith("Trigger"))?.type;
}

/** Inputs a string at the SDK are JSON-encoded once more (Utils.processInput); undo that. */
export function decodeInput(input: unknown): unknown {
  if (typeof input !== "string") return input ?? null;
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** What an action asks for, as text: the non-determinism guard and the replay tests compare these. */
export function signature(action: SdkAction): string {
  const { actionType, functionName, input, fireAt, externalEventName, instanceId, compoundActions } = action;
  return JSON.stringify({
    actionType,
    functionName,
    input,
    fireAt: fireAt ? new Date(fireAt).toISOString() : undefined,
    externalEventName,
    instanceId,
    compound: compoundActions?.map(signature),
  });
}

function unsupported(actions: SdkAction[]): { message: string } | undefined {
  const flat = actions.flatMap(function walk(a: SdkAction): SdkAction[] {
    return [a, ...(a.compoundActions ?? []).flatMap(walk)];
  });
  const bad = flat.find((a) => UnsupportedActions[a.actionType]);
  if (!bad) return undefined;
  return {
    message: `The local durable host does not support ${UnsupportedActions[bad.actionType]}. The orchestration was failed instead of left waiting; run it on Azure or avoid the API.`,
  };
}

/**
 * The client refuses these ids (azure-functions-durable-extension DurableClient.cs StartNewAsync and
 * IsInvalidCharacter: a leading "@", "/", "\\", "#", "?", control characters, more than 256 characters);
 * HttpApiHandler.cs answers its ArgumentException with 400.
 */
export function validateInstanceId(instanceId: string): void {
  if (instanceId.startsWith("@")) throw new InvalidInstanceIdError("Orchestration instance ids must not start with @.");
  if (/[/\\#?\u0000-\u001f\u007f-\u009f]/.test(instanceId)) {
    throw new InvalidInstanceIdError("Orchestration instance ids must not contain /, \\, #, ?, or control characters.");
  }
  if (instanceId.length > 256) throw new InvalidInstanceIdError("Instance ID lengths must not exceed 256 characters.");
}

const ID_CONSUMING: Record<number, string> = {
  [ActionType.CallActivity]: "activity",
  [ActionType.CallActivityWithRetry]: "activity",
  [ActionType.CallSubOrchestrator]: "sub-orchestration",
  [ActionType.CallSubOrchestratorWithRetry]: "sub-orchestration",
  [ActionType.CreateTimer]: "timer",
};

/**
 * Every action object that appears more than once in one episode's list (compound children
 * included), described for the error, id-consuming ones first: the extension would schedule each
 * anew (see checkShimAllocation).
 * `openTasks` (the SDK's) names the task id when the task is still open.
 */
export function findReyields(actions: SdkAction[], openTasks: Record<string, SdkTask> = {}): string[] {
  const seen = new Set<SdkAction>();
  const found: { idConsuming: boolean; text: string }[] = [];
  const walk = (action: SdkAction, inside: string | undefined) => {
    const idConsuming = !!ID_CONSUMING[action.actionType];
    if (seen.has(action) && (idConsuming || action.actionType === ActionType.WaitForExternalEvent)) {
      const text = `yielded ${describeTask(action, openTasks)} again inside ${inside ?? "a new yield"}: ${consequence(action)}. Create a fresh task for every wait and yield each task object once.`;
      found.push({ idConsuming, text });
    }
    seen.add(action);
    const compound =
      action.actionType === ActionType.WhenAny
        ? "Task.any"
        : action.actionType === ActionType.WhenAll
          ? "Task.all"
          : undefined;
    for (const child of action.compoundActions ?? []) walk(child, compound);
  };
  for (const action of actions) walk(action, undefined);
  // The id-consuming ones first: they are what makes Azure's ids drift.
  return [...found.filter((f) => f.idConsuming), ...found.filter((f) => !f.idConsuming)].map((f) => f.text);
}

function describeTask(action: SdkAction, openTasks: Record<string, SdkTask>): string {
  if (action.actionType === ActionType.WaitForExternalEvent) return `the wait for event '${action.externalEventName}'`;
  const open = Object.values(openTasks).find((t) => t.actionObj === action || t.parent?.actionObj === action);
  const kind = ID_CONSUMING[action.actionType];
  const what = action.functionName
    ? `${kind} '${action.functionName}'`
    : action.fireAt
      ? `${kind} (fires at ${new Date(action.fireAt).toISOString()})`
      : kind;
  if (!open) return `the ${what}, already scheduled,`;
  return open.parent?.longRunningTimerIntervalDuration !== undefined
    ? `the long ${what} whose current segment is task ${open.id}`
    : `the ${what} scheduled as task ${open.id}`;
}

function consequence(action: SdkAction): string {
  if (action.actionType === ActionType.WaitForExternalEvent) {
    return "the SDK then holds two open waits for the same event and hands the next one to the newest copy, which nobody may be waiting on";
  }
  return (
    "the Durable extension would schedule it anew with the next sequence id (durable-js issue 574) while the SDK counts it once, " +
    "so from here on completions in Azure land on the wrong tasks and the instance hangs or fails"
  );
}

/**
 * A new segment of a long timer that is cancelled. The SDK starts the next segment whenever one
 * fires, cancelled or not (durable-functions LongTimerTask.trySetValue); the extension's loop stops
 * creating segments once the timer is cancelled (azure-functions-durable-extension
 * DurableOrchestrationContext.cs CreateTimer: `while (... && !cancelToken.IsCancellationRequested)`).
 * The segment's id is one the extension never allocates, so the ids drift from here on.
 */
function phantomSegment(task: SdkTask): string | undefined {
  const parent = task.parent;
  if (!parent || parent.longRunningTimerIntervalDuration === undefined || !parent.isCanceled) return undefined;
  if ((parent.children ?? []).indexOf(task) <= 0) return undefined; // the first segment is created before the cancel
  const action = parent.actionObj === "noOp" ? undefined : parent.actionObj;
  return (
    `cancelled a long timer (fires at ${action?.fireAt ? new Date(action.fireAt).toISOString() : "?"}) that kept firing: the SDK started its next segment as task ${task.id}, ` +
    "which the Durable extension never creates for a cancelled timer, so from here on its task ids run ahead of the SDK's and the instance hangs in Azure. " +
    "Keep durable timers at 6 days or less, or continue as new after cancelling."
  );
}

/** DTFx RetryInterceptor: firstRetryInterval × backoff^retry, capped by maxRetryInterval. */
export function retryDelay(options: SdkRetryOptions, retryIndex: number): number {
  const delay =
    options.firstRetryIntervalInMilliseconds * Math.pow(options.backoffCoefficient || 1, Math.max(0, retryIndex - 1));
  const cap = options.maxRetryIntervalInMilliseconds;
  return cap && cap > 0 ? Math.min(delay, cap) : delay;
}

const OUT_OF_PROC_MARKER = "$OutOfProcData$:";

/** An orchestrator that throws makes the SDK throw OrchestrationFailureError with the state after a marker. */
function parseOrchestrationFailure(err: unknown): { message: string; details?: string; state?: SdkState } {
  const error = err instanceof Error ? err : new Error(String(err));
  const at = error.message.indexOf(OUT_OF_PROC_MARKER);
  if (at < 0) return { message: error.message, details: error.stack };
  try {
    const state = JSON.parse(error.message.slice(at + OUT_OF_PROC_MARKER.length)) as SdkState;
    return { message: state.error ?? error.message.slice(0, at).trim(), details: error.stack, state };
  } catch {
    return { message: error.message.slice(0, at).trim(), details: error.stack };
  }
}
