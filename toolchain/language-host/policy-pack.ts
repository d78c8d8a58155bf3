// RunPlugin for policy packs: how `pulumi up --policy-pack DIR` runs a Node.js policy pack.
//
// When the engine finds a language host for a policy pack's runtime it no longer looks for the
// old `pulumi-analyzer-policy` launcher: it asks the host to RunPlugin the pack (kind
// "analyzer") and reads the analyzer's port from the plugin's stdout. A pack built on
// @pulumi/policy runs under @pulumi/pulumi's own `cmd/run-policy-pack` entry point and expects
// the stack's identity and configuration in its environment (PULUMI_CONFIG, as for programs),
// but the engine sends those only later, through the analyzer's ConfigureStack call. So, as
// the official host does, this host answers the engine as the analyzer first: it serves a
// small proxy, waits for ConfigureStack, then starts the pack with that configuration in its
// environment and forwards every further call to it.
import * as grpc from "@grpc/grpc-js";
import { spawn, type ChildProcess } from "node:child_process";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import type * as language from "@pulumi/pulumi/proto/language_pb";
import { RunPluginResponse } from "@pulumi/pulumi/proto/language_pb";

/** The plugin kind with which the engine runs policy packs. */
export const ANALYZER_KIND = "analyzer";

/** Where the pack lives and how its runtime options ask it to be run (PulumiPolicy.yaml). */
export interface PolicyPackProgram {
  directory: string;
  nodeArgs: string[];
  typescript: boolean;
}

type PluginCall = grpc.ServerWritableStream<language.RunPluginRequest, RunPluginResponse>;

/** Serves one RunPlugin call for a policy pack, until the pack exits or the engine lets go. */
export function runPolicyPack(call: PluginCall, program: PolicyPackProgram): void {
  let entryPoint: string;
  try {
    entryPoint = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [program.directory] });
  } catch {
    call.emit("error", {
      code: grpc.status.FAILED_PRECONDITION,
      details: `@pulumi/pulumi is not installed where the policy pack ${program.directory} can find it; hint: run npm install in the project`,
    });
    return;
  }
  const proxy = new AnalyzerProxy((config) => startPack(call, program, entryPoint, config));
  proxy.listen().then(
    (port) => write(call, "stdout", `${port}\n`),
    (error: Error) => call.emit("error", { code: grpc.status.INTERNAL, details: `policy pack proxy could not listen: ${error.message}` }),
  );
  call.on("finish", () => proxy.close());
  call.on("cancelled", () => proxy.close());
}

function write(call: PluginCall, stream: "stdout" | "stderr", chunk: Buffer | string): void {
  // Bytes, never a string: protobuf reads a string given for a bytes field as base64.
  const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
  if (call.writable) call.write(stream === "stdout" ? new RunPluginResponse().setStdout(bytes) : new RunPluginResponse().setStderr(bytes));
}

/** A running pack: its analyzer client once it listens, and a way to stop it. */
interface StartedPack {
  client: Promise<analyzerGrpc.AnalyzerClient>;
  stop(): void;
}

/**
 * Starts the pack as `node [nodeargs] run-policy-pack ENGINE DIR` in its own directory, as the
 * official host does, with the stack's identity and configuration in its environment. Its
 * first stdout line is its analyzer port; everything else it prints goes to the engine.
 */
function startPack(call: PluginCall, program: PolicyPackProgram, entryPoint: string, config: analyzer.AnalyzerStackConfigureRequest | undefined): StartedPack {
  const req = call.request;
  const child = spawn(process.execPath, [...program.nodeArgs, entryPoint, ...req.getArgsList(), program.directory], {
    cwd: program.directory,
    env: { ...process.env, ...environmentOf(req.getEnvList()), ...packEnvironment(program, config) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr!.on("data", (chunk: Buffer) => write(call, "stderr", chunk));
  const client = readPort(call, child).then((port) => connect(port, config));
  // The engine learns of a failed start from the calls it makes; nobody else may be listening yet.
  client.catch(() => undefined);
  child.on("exit", (code, signal) => {
    if (call.writable) {
      call.write(new RunPluginResponse().setExitcode(code ?? (signal ? 128 : 1)));
      call.end();
    }
  });
  return { client, stop: () => child.kill() };
}

/** "KEY=VALUE" lines as an environment. */
function environmentOf(lines: string[]): Record<string, string> {
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
}

/** What @pulumi/pulumi reads at start-up to know its stack; what the official host sets for packs. */
function packEnvironment(program: PolicyPackProgram, config: analyzer.AnalyzerStackConfigureRequest | undefined): Record<string, string> {
  const env: Record<string, string> = program.typescript ? { PULUMI_NODEJS_TYPESCRIPT: "true" } : {};
  if (!config) return env;
  const values: Record<string, string> = {
    PULUMI_NODEJS_ORGANIZATION: config.getOrganization(),
    PULUMI_NODEJS_PROJECT: config.getProject(),
    PULUMI_NODEJS_STACK: config.getStack(),
    PULUMI_NODEJS_DRY_RUN: String(config.getDryRun()),
    PULUMI_CONFIG: JSON.stringify(Object.fromEntries(config.getConfigMap().entries())),
  };
  for (const [key, value] of Object.entries(values)) if (value !== "") env[key] = value;
  return env;
}

/** The pack's first stdout line is its port; the rest of its stdout is passed on. */
function readPort(call: PluginCall, child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let head = "";
    let port: number | undefined;
    child.stdout!.on("data", (chunk: Buffer) => {
      if (port !== undefined) return write(call, "stdout", chunk);
      head += chunk.toString("utf8");
      const newline = head.indexOf("\n");
      if (newline < 0) return;
      port = Number(head.slice(0, newline).trim());
      if (!Number.isInteger(port) || port <= 0) reject(new Error(`the policy pack printed ${JSON.stringify(head.slice(0, newline))} where its port belongs`));
      else resolve(port);
      if (head.length > newline + 1) write(call, "stdout", head.slice(newline + 1));
    });
    child.on("error", (error) => reject(new Error(`could not start node for the policy pack: ${error.message}`)));
    child.on("exit", (code, signal) =>
      reject(new Error(`the policy pack exited (${signal ? `signal ${signal}` : `code ${code}`}) before it listened; its output above says why`)),
    );
  });
}

/** A client of the pack's analyzer, told the stack configuration the engine gave the proxy. */
async function connect(port: number, config: analyzer.AnalyzerStackConfigureRequest | undefined): Promise<analyzerGrpc.AnalyzerClient> {
  const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  if (config)
    await new Promise<void>((resolve, reject) =>
      client.configureStack(config, (error) => (!error || error.code === grpc.status.UNIMPLEMENTED ? resolve() : reject(error))),
    );
  return client;
}

/** Analyzer calls the proxy passes to the pack unchanged. */
const FORWARDED = ["analyze", "analyzeStack", "remediate", "getAnalyzerInfo", "getPluginInfo", "configure", "cancel"] as const;

/**
 * The analyzer the engine talks to. It answers Handshake and ConfigureStack itself and starts
 * the pack on ConfigureStack, or on the first other call (commands such as `pulumi policy
 * publish` configure no stack); everything else waits for the pack and goes to it.
 */
class AnalyzerProxy {
  private readonly server = new grpc.Server();
  private pack?: StartedPack;

  constructor(private readonly start: (config: analyzer.AnalyzerStackConfigureRequest | undefined) => StartedPack) {}

  listen(): Promise<number> {
    const forwarded = Object.fromEntries(FORWARDED.map((method) => [method, this.forward(method)]));
    this.server.addService(analyzerGrpc.AnalyzerService, {
      ...forwarded,
      handshake: (_call: unknown, callback: grpc.sendUnaryData<analyzer.AnalyzerHandshakeResponse>) => callback(null, new analyzer.AnalyzerHandshakeResponse()),
      configureStack: (
        call: grpc.ServerUnaryCall<analyzer.AnalyzerStackConfigureRequest, analyzer.AnalyzerStackConfigureResponse>,
        callback: grpc.sendUnaryData<analyzer.AnalyzerStackConfigureResponse>,
      ) => {
        this.packFor(call.request);
        callback(null, new analyzer.AnalyzerStackConfigureResponse());
      },
    } as analyzerGrpc.IAnalyzerServer);
    return new Promise((resolve, reject) =>
      this.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
  }

  close(): void {
    this.pack?.stop();
    this.server.forceShutdown();
  }

  private packFor(config: analyzer.AnalyzerStackConfigureRequest | undefined): StartedPack {
    this.pack ??= this.start(config);
    return this.pack;
  }

  private forward(method: (typeof FORWARDED)[number]): grpc.handleUnaryCall<unknown, unknown> {
    return (call, callback) => {
      this.packFor(undefined)
        .client.then((client) => {
          const send = client[method].bind(client) as (request: unknown, done: (error: grpc.ServiceError | null, response: unknown) => void) => void;
          send(call.request, (error, response) => callback(error, response));
        })
        .catch((error: Error) => callback({ code: grpc.status.UNAVAILABLE, details: error.message }));
    };
  }
}
