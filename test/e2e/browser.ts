// Real browser logins: headless Chromium (Debian's package) driven by playwright-core.
import { chromium, type Browser, type Page } from "playwright-core";
import { keycloak, tokenRequest } from "./harness";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Flags for a machine without the internet: no background connections, no sandbox as root. */
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** `extraFlags`: e.g. a host-resolver rule that sends a hostname to a test's own address. */
export function launchBrowser(extraFlags: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...FLAGS, ...extraFlags] });
}

export interface LoginFlow {
  realm: string;
  clientId: string;
  redirectUri: string;
  username: string;
  password: string;
  /** Where the browser finds Keycloak; this run's local Keycloak when unset. */
  baseUrl?: string;
  /** Where the test itself reaches Keycloak's token endpoint, when not at baseUrl. */
  backchannelUrl?: string;
}

/**
 * Starts an authorization-code login and submits the username and password. The app's
 * redirect URI is answered inside the browser, so `code()` resolves once Keycloak sends the
 * browser back with a code. The page is left wherever Keycloak took it (password change, OTP
 * setup) for the test to look at.
 */
export async function startLogin(browser: { newPage(): Promise<Page> }, flow: LoginFlow): Promise<{ page: Page; code: Promise<string> }> {
  const page = await browser.newPage();
  const origin = new URL(flow.redirectUri).origin;
  const code = new Promise<string>((resolve) =>
    page.route(`${origin}/**`, async (route) => {
      resolve(new URL(route.request().url()).searchParams.get("code") ?? "");
      await route.fulfill({ status: 200, contentType: "text/plain", body: "logged in" });
    }),
  );
  const auth = new URL(`${flow.baseUrl ?? keycloak().url}/realms/${flow.realm}/protocol/openid-connect/auth`);
  auth.search = new URLSearchParams({ client_id: flow.clientId, redirect_uri: flow.redirectUri, response_type: "code", scope: "openid" }).toString();
  await page.goto(auth.toString());
  await page.fill("#username", flow.username);
  await page.fill("#password", flow.password);
  await Promise.all([page.waitForLoadState(), page.click("#kc-login")]);
  return { page, code };
}

/** Which page Keycloak shows after the password: the app (a code), a password change, or OTP setup. */
export async function nextStep(page: Page, code: Promise<string>): Promise<"code" | "update-password" | "configure-otp" | "otp"> {
  const winner = await Promise.race([
    code.then(() => "code" as const),
    page.waitForSelector("#password-new", { timeout: 20_000 }).then(() => "update-password" as const),
    page.waitForSelector("#totp", { timeout: 20_000 }).then(() => "configure-otp" as const),
    page.waitForSelector("#otp", { timeout: 20_000 }).then(() => "otp" as const),
  ]);
  return winner;
}

/** Exchanges an authorization code for tokens, as the app would. */
export function exchangeCode(flow: LoginFlow, clientSecret: string, code: string): Promise<Record<string, unknown>> {
  return tokenRequest(flow.realm, {
    grant_type: "authorization_code",
    code,
    redirect_uri: flow.redirectUri,
    client_id: flow.clientId,
    client_secret: clientSecret,
  }, flow.backchannelUrl ?? flow.baseUrl);
}
