/**
 * The durable-functions SDK's task and action objects as the local host reads them (its engine and the extension's
 * shim both do), in a module of their own so the two import it, not each other.
 */
export interface SdkTask {
  id: number | string | false;
  actionObj: SdkAction | "noOp";
  parent?: SdkTask & {
    isWaitingOnTimer?: boolean;
    attemptNumber?: number;
    retryOptions?: SdkRetryOptions;
    isCanceled?: boolean;
    children?: SdkTask[];
    /** Only LongTimerTask has it (durable-functions/lib/src/task/LongTimerTask.js). */
    longRunningTimerIntervalDuration?: unknown;
  };
  isCanceled?: boolean;
}
export interface SdkAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  fireAt?: Date;
  isCanceled?: boolean;
  instanceId?: string;
  version?: string;
  externalEventName?: string;
  compoundActions?: SdkAction[];
  retryOptions?: SdkRetryOptions;
}
export interface SdkRetryOptions {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}
