// A throwaway OpenLDAP server for the LDAP federation test: its own slapd.conf, schemas and mdb
// database in a temporary directory, seeded with slapadd, listening on a free loopback port.
// Needs the Debian packages slapd and ldap-utils (the system's own slapd instance is not used).
import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "../../src/platform/local/server";
import { randomSecret } from "../../src/ops/workspace";

export const baseDn = "dc=example,dc=org";

export interface LdapUser {
  uid: string;
  password: string;
  givenName: string;
  sn: string;
  mail: string;
}

export interface LdapGroup {
  cn: string;
  members: string[];
}

export interface Slapd {
  url: string;
  bindDn: string;
  bindPassword: string;
  stop(): Promise<void>;
}

const schemaDir = "/etc/ldap/schema";
const moduleDir = "/usr/lib/ldap";
const slapdBin = fs.existsSync("/usr/sbin/slapd") ? "/usr/sbin/slapd" : "slapd";
const slapaddBin = fs.existsSync("/usr/sbin/slapadd") ? "/usr/sbin/slapadd" : "slapadd";

/** {SSHA} as slappasswd makes it: SHA-1 of password and salt, then the salt, in base64. */
function ssha(password: string): string {
  const salt = randomBytes(8);
  return `{SSHA}${Buffer.concat([createHash("sha1").update(password).update(salt).digest(), salt]).toString("base64")}`;
}

const userDn = (uid: string) => `uid=${uid},ou=people,${baseDn}`;

function seed(users: LdapUser[], groups: LdapGroup[]): string {
  const entries = [
    [`dn: ${baseDn}`, "objectClass: top", "objectClass: dcObject", "objectClass: organization", "o: Example", "dc: example"],
    [`dn: ou=people,${baseDn}`, "objectClass: organizationalUnit", "ou: people"],
    [`dn: ou=groups,${baseDn}`, "objectClass: organizationalUnit", "ou: groups"],
    ...users.map((u) => [
      `dn: ${userDn(u.uid)}`,
      "objectClass: inetOrgPerson",
      `uid: ${u.uid}`,
      `cn: ${u.givenName} ${u.sn}`,
      `givenName: ${u.givenName}`,
      `sn: ${u.sn}`,
      `mail: ${u.mail}`,
      `userPassword: ${ssha(u.password)}`,
    ]),
    ...groups.map((g) => [`dn: cn=${g.cn},ou=groups,${baseDn}`, "objectClass: groupOfNames", `cn: ${g.cn}`, ...g.members.map((m) => `member: ${userDn(m)}`)]),
  ];
  return entries.map((lines) => lines.join("\n")).join("\n\n") + "\n";
}

/** Starts slapd with the given users and groups; resolves once an admin bind succeeds. */
export async function startSlapd({ users, groups }: { users: LdapUser[]; groups: LdapGroup[] }): Promise<Slapd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-e2e-slapd-"));
  const dbDir = path.join(dir, "db");
  fs.mkdirSync(dbDir);
  const bindDn = `cn=admin,${baseDn}`;
  const bindPassword = randomSecret();
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;

  const conf = path.join(dir, "slapd.conf");
  fs.writeFileSync(
    conf,
    [
      ...["core", "cosine", "inetorgperson", "nis"].map((s) => `include ${schemaDir}/${s}.schema`),
      `pidfile ${path.join(dir, "slapd.pid")}`,
      `modulepath ${moduleDir}`,
      "moduleload back_mdb",
      "database mdb",
      `suffix "${baseDn}"`,
      `rootdn "${bindDn}"`,
      `rootpw ${ssha(bindPassword)}`,
      `directory ${dbDir}`,
      "maxsize 67108864",
      "index objectClass,uid,cn,member eq",
      "access to attrs=userPassword by anonymous auth by self read by * none",
      "access to * by users read by * none",
      "",
    ].join("\n"),
  );
  const ldif = path.join(dir, "seed.ldif");
  fs.writeFileSync(ldif, seed(users, groups));
  execFileSync(slapaddBin, ["-f", conf, "-l", ldif], { stdio: ["ignore", "pipe", "pipe"] });

  // -d 0 keeps slapd in the foreground, so it is our child and dies with stop().
  const log: string[] = [];
  const child = spawn(slapdBin, ["-d", "0", "-h", `${url}/`, "-f", conf], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d) => log.push(String(d)));
  child.stderr.on("data", (d) => log.push(String(d)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let running = true;
  void exited.then(() => (running = false));

  const stop = async () => {
    if (running) child.kill("SIGTERM");
    await Promise.race([exited, sleep(10_000)]);
    if (running) child.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      execFileSync("ldapwhoami", ["-x", "-H", url, "-D", bindDn, "-y", writePasswordFile(dir, bindPassword)], { stdio: "pipe" });
      return { url, bindDn, bindPassword, stop };
    } catch (error) {
      if (!running || Date.now() > deadline) {
        await stop();
        throw new Error(`slapd did not answer at ${url}: ${String(error)}\n${log.join("")}`);
      }
      await sleep(200);
    }
  }
}

/** ldapwhoami reads the password from a file (-y), so it never shows in a process listing. */
function writePasswordFile(dir: string, password: string): string {
  const file = path.join(dir, "bind.pw");
  fs.writeFileSync(file, password, { mode: 0o600 });
  return file;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
