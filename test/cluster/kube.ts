// Talking to a test Kubernetes API server: raw requests with the admin token, server-side apply,
// discovery, readiness of workloads, and the kubectl built by the toolchain.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as https from "node:https";
import * as path from "node:path";
import { eventually } from "./process";

export interface KubeApi {
  /** https://<address>:<port> */
  url: string;
  /** Bearer token of an administrator (group system:masters). */
  token: string;
  /** The CA that signed the serving certificate. */
  ca: string;
}

export interface ApiResponse {
  status: number;
  body: any;
  /** The API server's Warning headers (deprecations, unknown fields under Warn validation, ...). */
  warnings: string[];
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** One request with the admin token; JSON bodies are parsed, others returned as text. */
export function request(api: KubeApi, method: string, pathAndQuery: string, body?: unknown, contentType = "application/json"): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      `${api.url}${pathAndQuery}`,
      {
        method,
        ca: api.ca,
        // A connection per request: a pooled one can be closed by the server while a test's
        // synchronous child process blocks the event loop, and is then reused ("socket hang up").
        agent: false,
        headers: {
          authorization: `Bearer ${api.token}`,
          accept: "application/json",
          ...(payload === undefined ? {} : { "content-type": contentType, "content-length": Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          if (String(res.headers["content-type"] ?? "").includes("json")) {
            try {
              parsed = JSON.parse(text);
            } catch {
              // keep the text
            }
          }
          const warning = res.headers.warning;
          resolve({ status: res.statusCode ?? 0, body: parsed, warnings: warning === undefined ? [] : ([] as string[]).concat(warning) });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export const describeResponse = ({ status, body }: ApiResponse) => `${status} ${typeof body === "object" && body?.message ? body.message : JSON.stringify(body)}`;

/** Plural names and scopes of kinds, from the server's discovery documents. */
export class Discovery {
  private readonly known = new Map<string, { plural: string; namespaced: boolean }>();
  constructor(private readonly api: KubeApi) {}

  /** The URL path of an object (or, with `collection`, of its kind's collection in its namespace). */
  async pathOf(manifest: Pick<Manifest, "apiVersion" | "kind" | "metadata">, collection = false): Promise<string> {
    const { plural, namespaced } = await this.resource(manifest.apiVersion, manifest.kind);
    const base = manifest.apiVersion.includes("/") ? `/apis/${manifest.apiVersion}` : `/api/${manifest.apiVersion}`;
    if (namespaced && !manifest.metadata.namespace) throw new Error(`${manifest.kind} ${manifest.metadata.name} has no namespace`);
    const kindPath = namespaced ? `${base}/namespaces/${manifest.metadata.namespace}/${plural}` : `${base}/${plural}`;
    return collection ? kindPath : `${kindPath}/${manifest.metadata.name}`;
  }

  private async resource(apiVersion: string, kind: string): Promise<{ plural: string; namespaced: boolean }> {
    const key = `${apiVersion}/${kind}`;
    if (!this.known.has(key)) {
      const { status, body } = await request(this.api, "GET", apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
      if (status !== 200) throw new Error(`discovery of ${apiVersion}: ${status} ${JSON.stringify(body)}`);
      for (const r of body.resources as { name: string; kind: string; namespaced: boolean }[])
        if (!r.name.includes("/")) this.known.set(`${apiVersion}/${r.kind}`, { plural: r.name, namespaced: r.namespaced });
    }
    const found = this.known.get(key);
    if (!found) throw new Error(`the API server does not serve ${apiVersion} ${kind}`);
    return found;
  }
}

/**
 * Server-side apply, as the Pulumi Kubernetes provider does by default: creates or updates the
 * object to exactly the fields this manager declares, with strict field validation.
 */
export async function apply(api: KubeApi, discovery: Discovery, manifest: Manifest, fieldManager = "pulumi-kubernetes"): Promise<ApiResponse> {
  const objectPath = await discovery.pathOf(manifest);
  const response = await request(api, "PATCH", `${objectPath}?fieldManager=${fieldManager}&force=true&fieldValidation=Strict`, manifest, "application/apply-patch+yaml");
  if (response.status !== 200 && response.status !== 201) throw new Error(`applying ${manifest.kind} ${manifest.metadata.name}: ${describeResponse(response)}`);
  return response;
}

export async function get(api: KubeApi, pathAndQuery: string): Promise<any> {
  const response = await request(api, "GET", pathAndQuery);
  if (response.status !== 200) throw new Error(`GET ${pathAndQuery}: ${describeResponse(response)}`);
  return response.body;
}

/**
 * Resolves once a Deployment or StatefulSet has rolled out completely: the controller saw the
 * latest spec, every replica runs it and is ready, and no old replica is left.
 */
export async function rolledOut(api: KubeApi, kind: "deployments" | "statefulsets", namespace: string, name: string, timeoutMs: number): Promise<any> {
  return eventually(`${kind}/${name} in ${namespace} rolled out`, timeoutMs, async () => {
    const object = await get(api, `/apis/apps/v1/namespaces/${namespace}/${kind}/${name}`);
    const want = object.spec.replicas ?? 1;
    const s = object.status ?? {};
    const current = (s.observedGeneration ?? 0) >= object.metadata.generation && s.updatedReplicas === want && s.readyReplicas === want && s.replicas === want;
    const updated = kind === "statefulsets" ? s.currentRevision === s.updateRevision : s.availableReplicas === want;
    return current && updated ? object : undefined;
  }, 2_000);
}

/** Pods of a namespace matching a label selector such as "app.kubernetes.io/component=server". */
export async function pods(api: KubeApi, namespace: string, selector: string): Promise<any[]> {
  return (await get(api, `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`)).items;
}

export const isReady = (pod: any) => pod.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") === true && !pod.metadata.deletionTimestamp;

/**
 * The toolchain's kubectl (toolchain/lib.sh: KUBERNETES_BIN), on the cluster of `kubeconfig`.
 * Asynchronous: a test's probes and pooled connections keep being served while it runs.
 */
export async function kubectl(kubeconfig: string, args: string[]): Promise<string> {
  const bin = path.join(process.env.KUBERNETES_BIN ?? "", "kubectl");
  try {
    return (await promisify(execFile)(bin, args, { encoding: "utf8", env: { ...process.env, KUBECONFIG: kubeconfig }, maxBuffer: 256 * 1024 * 1024 })).stdout;
  } catch (error: any) {
    throw new Error(`kubectl ${args.join(" ")} failed:\n${error.stderr ?? error.message}`);
  }
}
