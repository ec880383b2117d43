// Each component test starts on an empty page: what a test mounted is
// unmounted after it (only where there is a DOM; pure tests have none).
import { afterEach } from "vitest";

afterEach(async () => {
  if (typeof document === "undefined") return;
  const { cleanup } = await import("@testing-library/svelte");
  cleanup();
});
