// The fleet commands: usage, summary and flags of each, and the module that does its work.
// That module is required only when its command runs: together they load the Pulumi SDK, the
// Automation API and the admin client, seconds that `check` or `help` should not wait for.
import { type Command, type CommandArgs, stringFlag } from "./command";

// require, not import(): tsx hooks require alone, and import() of a .ts file fails under it.
const check = () => require("./check") as typeof import("./check");
const clone = () => require("./clone") as typeof import("./clone");
const dev = () => require("./dev") as typeof import("./dev");
const drift = () => require("./drift") as typeof import("./drift");
const importer = () => require("./import") as typeof import("./import");
const parity = () => require("./parity") as typeof import("./parity");
const repair = () => require("./repair") as typeof import("./repair");
const schema = () => require("./schema") as typeof import("./schema");
const stacks = () => require("./stacks") as typeof import("./stacks");
const users = () => require("./users") as typeof import("./users");

const stackOption = { stack: { type: "string" } } as const;
const devStack = (args: CommandArgs) => stringFlag(args, "stack") ?? "dev";

/** The flags of what a platform needs, shared by `stack new` and `clone`. */
const PLATFORM_FLAGS = {
  url: { type: "string" },
  "admin-client-secret-file": { type: "string" },
  context: { type: "string" },
  hostname: { type: "string" },
  "admin-hostname": { type: "string" },
  "admin-allowlist": { type: "string", multiple: true },
  set: { type: "string", multiple: true },
} as const;
const PLATFORM_USAGE = "[--url URL --admin-client-secret-file FILE|-] [--context C --hostname H --admin-hostname H --admin-allowlist CIDR ...] [--set KEY=VALUE ...]";

/** The users commands work on one realm of a deployed stack. */
const TARGET = "--stack NAME --realm REALM";
const targetOptions = { stack: { type: "string" }, realm: { type: "string" } } as const;

export const commands: Record<string, Command> = {
  "dev up": {
    usage: "dev up [--stack NAME]",
    summary: "start a local Keycloak and deploy the stack onto it (default stack: dev)",
    options: stackOption,
    run: (args) => dev().devUp(devStack(args)),
  },
  "dev down": { usage: "dev down [--stack NAME]", summary: "stop it and forget the stack and its data", options: stackOption, run: (args) => dev().devDown(devStack(args)) },
  "dev admin-password": {
    usage: "dev admin-password [--stack NAME]",
    summary: "print the local administrator's password",
    options: stackOption,
    run: (args) => dev().devAdminPassword(devStack(args)),
  },
  "stack new": {
    usage: `stack new NAME --platform local|external|kubernetes [--realm FILE ...] ${PLATFORM_USAGE}`,
    summary: "create a stack with this project's backend and a new secretSeed; says what to run next",
    positionals: 1,
    options: { platform: { type: "string" }, realm: { type: "string", multiple: true }, ...PLATFORM_FLAGS },
    run: (args) => stacks().stackNew(args),
  },
  env: {
    usage: "env",
    summary: 'print the environment plain pulumi needs for this project\'s stacks: eval "$(npm run --silent fleet -- env)"',
    run: () => stacks().printEnv(),
  },
  clone: {
    usage: `clone FROM TO [--new-secrets] ${PLATFORM_USAGE}`,
    summary: "a new stack with FROM's realms and settings and, unless --new-secrets, its secretSeed and secrets",
    positionals: 2,
    options: { "new-secrets": { type: "boolean" }, ...PLATFORM_FLAGS },
    run: (args) => clone().clone(args),
  },
  check: {
    usage: "check [--stack NAME]",
    summary: "validate the stack config and its realm specs as pulumi up would, without deploying (default stack: dev)",
    options: stackOption,
    run: (args) => check().check(stringFlag(args, "stack") ?? "dev"),
  },
  parity: {
    usage: "parity A B",
    summary: "compare the realms two stacks deploy, live on their Keycloaks (exit 2 on any difference)",
    positionals: 2,
    run: ({ positionals: [a, b] }) => parity().parity(a, b),
  },
  drift: {
    usage: "drift --stack NAME [--fix]",
    summary: "what differs between a stack's Keycloak and the code (exit 2 if anything does); --fix applies the code",
    options: { stack: { type: "string" }, fix: { type: "boolean" } },
    run: (args) => drift().drift(args),
  },
  repair: {
    usage: "repair --stack NAME",
    summary: "after pulumi itself was killed mid-update: remove its stale lock, import what Keycloak created, forget what it did not",
    options: stackOption,
    run: (args) => repair().repair(args),
  },
  import: {
    usage: "import --stack NAME --realm REALM | --from-file EXPORT.json [--realm REALM] [--out FILE] [--report FILE]",
    summary: "write an existing realm (live, or a realm export) as a realm spec with existing: true; report what the spec cannot hold",
    options: { stack: { type: "string" }, realm: { type: "string" }, "from-file": { type: "string" }, out: { type: "string" }, report: { type: "string" } },
    run: (args) => importer().importRealm(args),
  },
  "users add": {
    usage: `users add USERNAME ${TARGET} [--email E] [--first-name F] [--last-name L] [--group PATH ...] [--email-action]`,
    summary: "create a user in groups; print a temporary password once, or e-mail an update-password link",
    options: {
      ...targetOptions,
      email: { type: "string" },
      "first-name": { type: "string" },
      "last-name": { type: "string" },
      group: { type: "string", multiple: true },
      "email-action": { type: "boolean" },
    },
    positionals: 1,
    run: (args) => users().usersAdd(args),
  },
  "users list": {
    usage: `users list ${TARGET}`,
    summary: "the realm's users: e-mail, enabled, groups, and where each comes from (code, federation, day-2)",
    options: targetOptions,
    run: (args) => users().usersList(args),
  },
  "users disable": {
    usage: `users disable USERNAME ${TARGET}`,
    summary: "refuse the user's logins from now on and end its sessions",
    options: targetOptions,
    positionals: 1,
    run: (args) => users().usersDisable(args),
  },
  "users enable": {
    usage: `users enable USERNAME ${TARGET}`,
    summary: "let a disabled user log in again",
    options: targetOptions,
    positionals: 1,
    run: (args) => users().usersEnable(args),
  },
  "users reset-password": {
    usage: `users reset-password USERNAME ${TARGET} [--email-action]`,
    summary: "print a new temporary password once, or e-mail an update-password link",
    options: { ...targetOptions, "email-action": { type: "boolean" } },
    positionals: 1,
    run: (args) => users().usersResetPassword(args),
  },
  "users remove": {
    usage: `users remove USERNAME ${TARGET}`,
    summary: "delete the user",
    options: targetOptions,
    positionals: 1,
    run: (args) => users().usersRemove(args),
  },
  "users export": {
    usage: `users export ${TARGET} [--out FILE]`,
    summary: "write the realm's day-2 users (groups, roles, attributes, required actions, links; no passwords) as JSON",
    options: { ...targetOptions, out: { type: "string" } },
    run: (args) => users().usersExport(args),
  },
  "users import": {
    usage: `users import FILE ${TARGET} [--email-action]`,
    summary: "create the users of an export that the realm lacks; skip the others and say why",
    options: { ...targetOptions, "email-action": { type: "boolean" } },
    positionals: 1,
    run: (args) => users().usersImport(args),
  },
  schema: { usage: "schema", summary: "regenerate schema/realm-spec.schema.json from the zod schema", run: () => schema().writeSchema() },
};
