import { isIP } from "node:net";
import { z } from "zod";
import { received, wholeNumber } from "./schema-helpers";
import { name } from "./spec/text";
import { httpUrl } from "./spec/urls";

/** The Pulumi config namespace of this project (the `name` in Pulumi.yaml). */
export const NAMESPACE = "keycloak-fleet";

const PLATFORMS = ["local", "external", "kubernetes"] as const;

/** Unprivileged TCP ports: Keycloak runs as the user, not as root. */
const Port = wholeNumber(1024, 65535, "(an unprivileged TCP port)");

export const LOCAL_MODES = ["dev", "production"] as const;

const LocalPlatform = z
  .object({
    /** Loopback port of the local Keycloak; `npm run dev:up` picks a free one when unset. */
    port: Port,
    /**
     * "dev": `kc.sh start-dev` on its embedded H2 database. "production": `kc.sh start` on a
     * PostgreSQL server of its own that dev:up starts and dev:down stops, plain HTTP on loopback.
     */
    mode: z
      .enum(LOCAL_MODES, {
        error: (iss) =>
          `expected "dev" or "production", got ${received(iss.input)}; hint: dev runs Keycloak's start-dev on its embedded database, production runs kc.sh start on a local PostgreSQL, as a production server runs`,
      })
      .default("dev"),
  })
  .strict();

const ExternalPlatform = z
  .object({
    /** Base URL of a running Keycloak, e.g. https://id.example.com. */
    url: httpUrl("https://id.example.com", undefined),
  })
  .strict();

/**
 * Why `value` is not a CIDR block such as 10.20.0.0/16 or 2001:db8::/48; undefined when it is
 * one. Addresses are checked with node:net (IPv4 without leading zeros, IPv6 with "::" and an
 * IPv4 tail), zone ids (%eth0) are refused: allowlists match addresses, not interfaces.
 */
export function cidrProblem(value: string): string | undefined {
  const [address, prefix, ...rest] = value.split("/");
  const version = address.includes("%") ? 0 : isIP(address);
  if (prefix === undefined)
    return version === 0 ? "not an address with a /prefix" : `no /prefix; hint: write "${value}/${version === 4 ? 32 : 128}" for one address`;
  if (rest.length > 0) return `more than one "/"`;
  if (version === 0) return `"${address}" is not an IPv4 or IPv6 address`;
  const max = version === 4 ? 32 : 128;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefix) || Number(prefix) > max) return `the prefix length of an IPv${version} block is 0 to ${max}`;
  return undefined;
}

const Cidr = z.string().superRefine((value, ctx) => {
  const problem = cidrProblem(value);
  if (problem)
    ctx.addIssue({ code: "custom", message: `expected a CIDR block such as "10.20.0.0/16" or "2001:db8::/48", got ${received(value)}: ${problem}` });
});

const CidrList = (what: string) =>
  z.array(Cidr).min(1, { error: `expected at least one CIDR block: ${what}; hint: list the operators' networks, e.g. ["10.20.0.0/16"]` });

/** A DNS name that a route serves; Keycloak builds its URLs as https://<name>. */
const Hostname = (missing: string) =>
  z
    .string({ error: (iss) => (iss.input === undefined ? `required field is missing: ${missing}` : `expected a DNS name, got ${received(iss.input)}`) })
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/, {
      error: (iss) => `expected a lower-case DNS name such as "id.example.com" (no scheme, port or path), got ${received(iss.input)}`,
    });

/** A Kubernetes object name (DNS label), e.g. a namespace. */
const DnsLabel = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
  error: (iss) => `expected a Kubernetes name of lower-case letters, digits and "-" (at most 63), got ${received(iss.input)}`,
});

/** A Kubernetes resource quantity such as "500m" or "2Gi". */
const Quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/, {
  error: (iss) => `expected a Kubernetes quantity such as "500m", "512Mi" or "10Gi", got ${received(iss.input)}`,
});

/**
 * An image by version tag or digest, `fallback` when unset: "latest" or no tag would change what
 * runs without a diff. A pinned tag also makes Kubernetes' default pull policy IfNotPresent, so
 * an image mirrored to a private registry or imported into the nodes (air-gapped clusters) works
 * without further settings.
 */
const PinnedImage = (fallback: string) =>
  z
    .string()
    .refine((image) => /^\S+@sha256:[a-f0-9]{64}$/.test(image) || /^\S+:(?!latest$)[\w][\w.-]*$/.test(image.split("/").pop()!), {
      error: (iss) => `expected an image pinned to a version tag or digest such as "${fallback}", got ${received(iss.input)}`,
    })
    .default(fallback);

const Labels = z.record(z.string(), z.string());

/** Where HTTP traffic to Keycloak comes from: the ingress controller's (or gateway's proxy) pods. */
const TrafficSource = z
  .object({
    /** Namespace of those pods. */
    namespace: DnsLabel,
    /** Their labels; every pod of the namespace when unset. */
    podLabels: Labels.optional(),
  })
  .strict();

const INGRESS_CONTROLLERS = ["traefik", "gateway", "nginx-legacy"] as const;

const Gateway = z
  .object({
    /** The Gateway the routes attach to (its listeners hold the TLS certificates). */
    name: DnsLabel,
    namespace: DnsLabel,
    /** A listener of that Gateway; all of them when unset. */
    sectionName: z.string().min(1).optional(),
    /**
     * How the gateway enforces the allowlists: the Gateway API has no source-IP match, so it
     * takes an implementation's policy. "envoy-gateway": a SecurityPolicy per restricted
     * route; "traefik": Traefik's ipAllowList Middleware as an ExtensionRef filter.
     */
    allowlistPolicy: z.enum(["envoy-gateway", "traefik"], {
      error: (iss) =>
        `expected "envoy-gateway" or "traefik", got ${received(iss.input)}; hint: the Gateway API cannot restrict source addresses, so the allowlists need an implementation's policy (other gateways: use ingress.controller "traefik")`,
    }),
  })
  .strict();

const Ingress = z
  .object({
    /** "traefik" (IngressRoute + ipAllowList), "gateway" (Gateway API HTTPRoute) or "nginx-legacy" (retired ingress-nginx). */
    controller: z.enum(INGRESS_CONTROLLERS).default("traefik"),
    /** Secret with the TLS certificate of both hostnames (traefik, nginx-legacy); the controller's default certificate when unset. */
    tlsSecretName: DnsLabel.optional(),
    /** The controller's pods, the only HTTP clients Keycloak accepts (NetworkPolicy); defaults per controller. */
    from: TrafficSource.optional(),
    /** Gateway API only: the Gateway and its allowlist policy. */
    gateway: Gateway.optional(),
  })
  .strict()
  .superRefine((ingress, ctx) => {
    const gateway = ingress.controller === "gateway";
    if (gateway && !ingress.gateway)
      ctx.addIssue({ code: "custom", path: ["gateway"], message: 'required with controller "gateway"; hint: {name, namespace, allowlistPolicy} of the Gateway the routes attach to' });
    if (gateway && !ingress.from)
      ctx.addIssue({
        code: "custom",
        path: ["from"],
        message: 'required with controller "gateway": where its proxy pods run depends on the implementation; hint: Envoy Gateway: {namespace: envoy-gateway-system}',
      });
    if (!gateway && ingress.gateway)
      ctx.addIssue({ code: "custom", path: ["gateway"], message: `only used with controller "gateway", got controller ${received(ingress.controller)}; hint: remove it` });
  });

const Resources = z
  .object({
    requests: z.object({ cpu: Quantity.default("500m"), memory: Quantity.default("1Gi") }).strict().prefault({}),
    /** No CPU limit by default: Keycloak's start-up is CPU-bound and throttling only slows it. */
    limits: z.object({ cpu: Quantity.optional(), memory: Quantity.default("2Gi") }).strict().prefault({}),
  })
  .strict();

const typeError = (choices: string) => (iss: { input?: unknown }) =>
  `expected type ${choices}, got ${received((iss.input as { type?: unknown } | undefined)?.type)}`;

const Database = z.discriminatedUnion(
  "type",
  [
    z
      .object({
        /** A PostgreSQL StatefulSet next to Keycloak, with a protected volume. */
        type: z.literal("bundled"),
        storageSize: Quantity.default("10Gi"),
        /** StorageClass of the volume; the cluster's default when unset. */
        storageClass: DnsLabel.optional(),
        /**
         * The official PostgreSQL image, or a mirror of it (air-gapped clusters): the StatefulSet
         * and the backup job's pg_dump run it. It must keep the official image's contract (the
         * POSTGRES_* variables, uid 999). The data directory belongs to one major version: moving
         * to another takes a dump and restore (see src/platform/kubernetes/backup.ts), not a new tag.
         */
        image: PinnedImage("postgres:16.4"),
      })
      .strict(),
    z
      .object({
        /** A PostgreSQL that runs elsewhere; its password is the secret databasePassword. */
        type: z.literal("external"),
        url: z.string().regex(/^jdbc:postgresql:\/\/[^\s/]+\/\S+$/, {
          error: (iss) => `expected a JDBC URL such as "jdbc:postgresql://db.example.com:5432/keycloak", got ${received(iss.input)}`,
        }),
        username: z.string({ error: "required field is missing: the database user Keycloak logs in as; hint: its password goes in pulumi config set --secret databasePassword" }).min(1),
      })
      .strict(),
  ],
  { error: typeError('"bundled" or "external"') },
);

/** Five cron fields (minute hour day month weekday), as a Kubernetes CronJob takes them. */
const CronSchedule = z.string().refine((schedule) => /^([0-9*/,A-Za-z-]+\s+){4}[0-9*/,A-Za-z-]+$/.test(schedule.trim()), {
  error: (iss) => `expected a cron schedule of 5 fields such as "0 3 * * *" (03:00 every day), got ${received(iss.input)}`,
});

const BackupTarget = z.discriminatedUnion(
  "type",
  [
    z
      .object({
        /** Dumps on a protected volume in the namespace. */
        type: z.literal("volume"),
        size: Quantity.default("20Gi"),
        storageClass: DnsLabel.optional(),
        /** Dumps older than this many days are deleted. */
        retainDays: z.int().min(1).default(14),
      })
      .strict(),
    z
      .object({
        /** Dumps uploaded to an S3-compatible bucket (retention: the bucket's lifecycle rules). */
        type: z.literal("s3"),
        endpoint: httpUrl("https://s3.eu-west-1.amazonaws.com", undefined),
        bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: (iss) => `expected an S3 bucket name, got ${received(iss.input)}` }),
        /** Its secret key is the secret backupSecretAccessKey. */
        accessKeyId: z.string().min(1),
        region: z.string().min(1).default("us-east-1"),
      })
      .strict(),
  ],
  { error: typeError('"volume" or "s3"') },
);

const KubernetesPlatform = z
  .object({
    namespace: DnsLabel.default("keycloak"),
    /** kubeconfig context to deploy with; the current context when unset. Unused with renderDirectory. */
    context: z.string().min(1).optional(),
    /** Keycloak 26.6 or later: the pods rely on its graceful-shutdown options (KC_SHUTDOWN_*). */
    image: PinnedImage("quay.io/keycloak/keycloak:26.7.3"),
    replicas: z
      .int({ error: (iss) => `expected a whole number of Keycloak pods, got ${received(iss.input)}` })
      .min(1, { error: (iss) => `expected at least 1 replica, got ${received(iss.input)}; hint: 2 or more keep Keycloak up through node drains` })
      .default(2),
    /** Public hostname: production mode needs it, and it is the issuer's host. */
    hostname: Hostname('production mode needs the public hostname; hint: set hostname to a DNS name your ingress serves, e.g. "id.example.com"'),
    /** Hostname of the admin console and Admin REST API, served only to adminAllowlist. */
    adminHostname: Hostname('the admin console gets its own hostname, reachable only from adminAllowlist; hint: e.g. "id-admin.example.com"'),
    /** Networks that may reach adminHostname, including the machine that runs pulumi up. */
    adminAllowlist: CidrList("the admin hostname is served to no one else"),
    /** Per realm name: the only networks that may reach /realms/<name>/ on the public hostname. */
    realmAllowlists: z.record(z.string(), CidrList("the realm is served to no one else")).optional(),
    ingress: Ingress.prefault({}),
    resources: Resources.prefault({}),
    database: Database.prefault({ type: "bundled" }),
    /** pg_dump on a schedule (bundled database only). */
    backup: z.object({ schedule: CronSchedule, target: BackupTarget }).strict().optional(),
    /**
     * Write the manifests here instead of applying them (for GitOps); no cluster is contacted,
     * so context is not used. The directory then holds the generated credentials in plain
     * (base64) Secret manifests: treat it as a secret.
     */
    renderDirectory: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((k8s, ctx) => {
    if (k8s.adminHostname === k8s.hostname)
      ctx.addIssue({
        code: "custom",
        path: ["adminHostname"],
        message: `must differ from hostname (${k8s.hostname}): the public host serves only realm paths, the admin host everything behind adminAllowlist; hint: e.g. "admin.${k8s.hostname}"`,
      });
    if (k8s.backup && k8s.database.type === "external")
      ctx.addIssue({
        code: "custom",
        path: ["backup"],
        message: "backups cover the bundled database only; hint: back up an external database where it runs (its provider's snapshots), and remove backup",
      });
  });

export type KubernetesPlatform = z.output<typeof KubernetesPlatform>;

/** The non-secret stack config. Secrets are read separately, see load.ts. */
export const StackConfig = z
  .object({
    platform: z.enum(PLATFORMS, {
      error: (iss) =>
        `expected one of ${PLATFORMS.map((p) => `"${p}"`).join(", ")}, got ${received(iss.input)}; hint: local runs Keycloak on this machine (npm run dev:up), external uses one that runs elsewhere, kubernetes deploys one onto a cluster`,
    }),
    /** Realm spec files, relative to the project directory. */
    realms: z
      .array(
        z.string().regex(/\.ya?ml$/, { error: (iss) => `expected a path to a .yaml file, got ${received(iss.input)}` }),
      )
      .min(1, { error: "expected at least one realm spec file; hint: list files such as stacks/realms/platform.yaml" }),
    /** The master-realm client the realm layer authenticates with (client-credentials grant). */
    adminClientId: name("client id").min(1).default("keycloak-fleet"),
    /** The permanent administrator: a master-realm user with the admin role (administrator.ts). */
    adminUsername: name("username").min(1).default("admin"),
    /**
     * Declare the permanent administrator and delete Keycloak's temporary bootstrap admin users.
     * One stack per Keycloak owns its administrator: others on the same Keycloak set false.
     */
    permanentAdministrator: z.boolean({ error: (iss) => `expected true or false, got ${received(iss.input)}` }).default(true),
    local: LocalPlatform.optional(),
    external: ExternalPlatform.optional(),
    kubernetes: KubernetesPlatform.optional(),
  })
  // Other keys may be secrets that realm specs refer to; load.ts reports the rest as unknown.
  .superRefine((config, ctx) => {
    if (!config[config.platform])
      ctx.addIssue({
        code: "custom",
        path: [config.platform],
        message: `platform "${config.platform}" needs its section ${NAMESPACE}:${config.platform}; hint: see Pulumi.yaml for its fields`,
      });
  });

export type StackConfig = z.output<typeof StackConfig>;
