import { defineConfig } from "@playwright/test";
import { serverEnv } from "./server-env";

// The journeys share one server and one pair of databases (emptied by
// `make e2e` before the run), so they run one at a time and each uses
// names of its own.
const port = 3100;
const dataDir = "../target/e2e-data";

export default defineConfig({
  testDir: "./tests",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["./failures-at-the-end.ts"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium" }],
  webServer: {
    // `make e2e` drives the debug build; E2E_SERVER=../target/release/custsync
    // drives the release build instead (after `make release`).
    command: process.env.E2E_SERVER ?? "../target/debug/custsync",
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: serverEnv(port, dataDir),
  },
});
