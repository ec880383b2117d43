// The app's identity and health, loaded once at start-up and shared by the
// sidebar footer and Settings → About.
import { commands, type AppInfo, type TillError } from "./bindings";

type State =
  | { status: "loading" }
  | { status: "ready"; info: AppInfo }
  | { status: "failed"; error: TillError };

export const appInfo: { current: State } = $state({ current: { status: "loading" } });

export async function loadAppInfo(): Promise<void> {
  const result = await commands.appInfo();
  appInfo.current =
    result.status === "ok" ? { status: "ready", info: result.data } : { status: "failed", error: result.error };
}
