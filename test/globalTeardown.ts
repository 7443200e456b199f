export default async function globalTeardown(): Promise<void> {
  await globalThis.__CHROMIUM__?.close();
  await globalThis.__AZURITE__?.stop();
}
