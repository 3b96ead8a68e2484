/**
 * The environment a journeys' server starts with on `port`, over `dataDir`:
 * the one `playwright.config.ts` starts, and those a journey starts itself.
 */
export function serverEnv(port: number, dataDir: string): Record<string, string> {
  return {
    LEPTOS_OUTPUT_NAME: "custsync",
    LEPTOS_SITE_ROOT: "../target/site",
    LEPTOS_SITE_PKG_DIR: "pkg",
    LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
    LEPTOS_RELOAD_PORT: `${port + 1}`,
    CUSTSYNC_CONFIG: "../Leptos.toml",
    CUSTSYNC_DATA_DIR: dataDir,
    CUSTSYNC_HQ_LATENCY_MS: "100",
    CUSTSYNC_SEED_DEMO_USERS: "true",
    RUST_LOG: "warn",
  };
}
