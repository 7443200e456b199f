/** The demo reads the status again as soon as the host has worked (at most every POLL_MS), and rarely while it is quiet. */
import { POLL_MS, QUIET_POLL_MS, StatusPace } from "../../local/demo/statusPace";

describe("when the demo reads the status again", () => {
  let hostSettled = () => {};
  const engine = {
    onIdle: (listener: () => void) => {
      hostSettled = listener;
      return () => (hostSettled = () => {});
    },
  };
  let pace: StatusPace;
  let due: boolean;
  const waitForNextRead = (signal = new AbortController().signal) => {
    due = false;
    void pace.nextRead(signal).then(() => (due = true));
  };

  beforeEach(() => {
    jest.useFakeTimers();
    pace = new StatusPace(engine);
    pace.reading();
  });
  afterEach(() => {
    pace.stop();
    jest.useRealTimers();
  });

  it("POLL_MS after the last read when the host worked meanwhile", async () => {
    hostSettled();
    waitForNextRead();
    await jest.advanceTimersByTimeAsync(POLL_MS - 1);
    expect(due).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(due).toBe(true);
  });

  it("as soon as the host works after a quiet spell, and after QUIET_POLL_MS if it never does", async () => {
    waitForNextRead();
    await jest.advanceTimersByTimeAsync(QUIET_POLL_MS / 2);
    expect(due).toBe(false);
    hostSettled();
    await jest.advanceTimersByTimeAsync(0);
    expect(due).toBe(true);

    pace.reading();
    waitForNextRead();
    await jest.advanceTimersByTimeAsync(QUIET_POLL_MS - 1);
    expect(due).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(due).toBe(true);
  });

  it("at once when the demo stops", async () => {
    const stopping = new AbortController();
    waitForNextRead(stopping.signal);
    await jest.advanceTimersByTimeAsync(POLL_MS);
    stopping.abort();
    await jest.advanceTimersByTimeAsync(0);
    expect(due).toBe(true);
  });
});
