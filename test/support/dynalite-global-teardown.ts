/** Jest global teardown: stops the dynalite server of dynalite-global-setup.ts. */
export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__ecsPilotDynalite;
  if (!server) return;
  globalThis.__ecsPilotDynalite = undefined;
  // Keep-alive sockets of the tests' SDK clients would hold close() for its 30 s timeout.
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
