import { GraphError } from "@microsoft/microsoft-graph-client";
import { graphSettings } from "../../shared/graph/client";
import { graphClouds, parseGraphCloud } from "../../shared/graph/cloud";
import { GraphCaller, normaliseNextLink, queryPath } from "../../shared/graph/graphCaller";
import { RetriesExhaustedError, RetryAfterTooLongError } from "../../shared/retry";
import { startWorld, type World } from "./world";

describe("Graph client plumbing", () => {
  it("strips scheme, host and version from nextLinks and keeps the encoded query", () => {
    expect(normaliseNextLink("http://127.0.0.1:5555/v1.0/users?$top=999&$skiptoken=abc%3D")).toBe(
      "/users?$top=999&$skiptoken=abc%3D",
    );
    expect(
      normaliseNextLink(
        "https://graph.microsoft.com/v1.0/groups/g/transitiveMembers/microsoft.graph.user?$skiptoken=x",
      ),
    ).toBe("/groups/g/transitiveMembers/microsoft.graph.user?$skiptoken=x");
  });

  it("percent-encodes query values so quotes, ampersands and spaces survive the SDK", () => {
    expect(queryPath("/applications", { $filter: "displayName eq 'A & B'" })).toBe(
      "/applications?$filter=displayName%20eq%20'A%20%26%20B'",
    );
  });

  it("takes the cloud and base URL from the validated settings", () => {
    expect(graphSettings({ GRAPH_CLOUD: "global" })).toEqual({
      cloud: "global",
      baseUrl: "https://graph.microsoft.com/",
    });
    expect(graphSettings({ GRAPH_CLOUD: "usgov" })).toEqual({ cloud: "usgov", baseUrl: "https://graph.microsoft.us/" });
    expect(graphSettings({ GRAPH_CLOUD: "china", GRAPH_BASE_URL: "https://proxy.example/" }).baseUrl).toBe(
      "https://proxy.example/",
    );
    expect(graphClouds.china.nonGalleryTemplateId).toBe("5a532e38-1581-4918-9658-008dc27c1d68");
    expect(() => parseGraphCloud("germany")).toThrow(/global, usgov, usgovdod, china/);
  });

  describe("against the simulator", () => {
    let world: World;
    afterEach(async () => world.sim.stop());

    it("leaves retries to withRetry: the SDK sends a throttled request once, we retry after Retry-After", async () => {
      world = await startWorld({
        faults: { scripted: [{ method: "GET", pathIncludes: "/users", status: 429, times: 2 }], retryAfterSeconds: 11 },
      });
      const once = new GraphCaller({
        client: world.client,
        clock: world.clock,
        counter: world.counter,
        retryPolicy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 60_000 },
      });
      const error = await once.call("listUsers", () => world.client.api("/users").get()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetriesExhaustedError);
      expect((error as RetriesExhaustedError).lastError).toBeInstanceOf(GraphError);
      expect(world.sim.requestLog).toHaveLength(1);

      const started = world.clock.now().getTime();
      const retrying = new GraphCaller({ client: world.client, clock: world.clock, counter: world.counter });
      await retrying.call("listUsers", () => world.client.api("/users").get());
      expect(world.sim.requestLog.map((r) => r.status)).toEqual([429, 429, 200]);
      expect(world.clock.now().getTime() - started).toBe(11_000);
    });
    it("waits out a Retry-After of 300 s as given instead of capping it at a minute", async () => {
      world = await startWorld({
        faults: { scripted: [{ method: "GET", pathIncludes: "/users", status: 429, retryAfterSeconds: 300 }] },
      });
      const started = world.clock.now().getTime();
      await new GraphCaller({ client: world.client, clock: world.clock, counter: world.counter }).call(
        "listUsers",
        () => world.client.api("/users").get(),
      );
      expect(world.sim.requestLog.map((r) => r.status)).toEqual([429, 200]);
      expect(world.clock.now().getTime() - started).toBe(300_000);
    });

    it("fails the attempt at once when Retry-After exceeds the 10-minute bound, so the durable retry takes over", async () => {
      world = await startWorld({
        faults: { scripted: [{ method: "GET", pathIncludes: "/users", status: 503, retryAfterSeconds: 900 }] },
      });
      const started = world.clock.now().getTime();
      const error = await new GraphCaller({ client: world.client, clock: world.clock, counter: world.counter })
        .call("listUsers", () => world.client.api("/users").get())
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetryAfterTooLongError);
      expect((error as RetryAfterTooLongError).retryAfterMs).toBe(900_000);
      expect(world.sim.requestLog).toHaveLength(1);
      expect(world.clock.now().getTime()).toBe(started);
    });
  });
});
