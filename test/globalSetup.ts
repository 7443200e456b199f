/** Starts one in-memory Azurite for the whole jest run; tests read its connection string from the env. */
import { startAzurite, type AzuriteHandle } from "../local/azurite";

declare global {
  var __AZURITE__: AzuriteHandle | undefined;
}

export default async function globalSetup(): Promise<void> {
  const azurite = await startAzurite();
  globalThis.__AZURITE__ = azurite;
  process.env.TEST_STORAGE_CONNECTION = azurite.connectionString;
  process.env.TEST_AZURITE_TABLE_ENDPOINT = azurite.tableEndpoint;
}
