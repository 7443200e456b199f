/** The Graph client's bound on requests in flight (shared/graph/client.ts ConcurrencyLimitHandler). */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createSimulatorGraphClient, GRAPH_MAX_CONCURRENT_REQUESTS } from "../../shared/graph/client";

describe("the Graph client", () => {
  let server: Server;
  let inFlight = 0;
  let most = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { "content-type": "application/json" }).end('{"value":[]}');
      }, 30);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it(`keeps at most ${GRAPH_MAX_CONCURRENT_REQUESTS} requests in flight, and answers all of them`, async () => {
    const client = createSimulatorGraphClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1.0/`);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => client.api(`/users/u${i}`).get()));
    expect(answers).toHaveLength(12);
    expect(most).toBe(GRAPH_MAX_CONCURRENT_REQUESTS);
  });
});
