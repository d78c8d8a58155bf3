// pulumi-language-nodejs: the Node.js language host, for machines that build the Pulumi CLI
// from Go modules.
//
// The official host is a Go module of its own that the module proxy these machines reach does
// not serve, so the toolchain cannot build it. What the engine needs from a language host is
// small: list the resource plugins the program depends on, run the program with
// @pulumi/pulumi's own `cmd/run` entry point, and run policy packs (`--policy-pack`) with its
// `cmd/run-policy-pack` (policy-pack.ts). This file does that over the gRPC service that
// @pulumi/pulumi ships stubs for. Every other call answers UNIMPLEMENTED, which the engine
// treats as "use the fallback".
//
// Usage (by the engine): pulumi-language-nodejs [flags] ENGINE_ADDRESS
import * as grpc from "@grpc/grpc-js";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as languageGrpc from "@pulumi/pulumi/proto/language_grpc_pb";
import * as language from "@pulumi/pulumi/proto/language_pb";
import * as plugin from "@pulumi/pulumi/proto/plugin_pb";
import { ANALYZER_KIND, runPolicyPack } from "./policy-pack";

/** Exit code with which `cmd/run` says it already printed an actionable message. */
const EXITED_AFTER_USER_MESSAGE = 32;

const engineAddress = process.argv.slice(2).filter((arg) => !arg.startsWith("-")).pop() ?? "";
const sdkVersion: string = require("@pulumi/pulumi/package.json").version;

type Options = { typescript?: boolean; nodeargs?: string };

function programInfo(info: language.ProgramInfo | undefined, pwd: string) {
  const options = (info?.getOptions()?.toJavaScript() ?? {}) as Options;
  return {
    root: info?.getRootDirectory() || pwd,
    directory: info?.getProgramDirectory() || pwd,
    entryPoint: info?.getEntryPoint() || ".",
    options,
  };
}

/** Resource plugins are the packages in node_modules whose package.json says `pulumi.resource`. */
function requiredPlugins(programDirectory: string): plugin.PluginDependency[] {
  const modules = path.join(programDirectory, "node_modules");
  if (!fs.existsSync(modules)) return [];
  const packageDirs = fs.readdirSync(modules).flatMap((entry) =>
    entry.startsWith("@")
      ? fs.readdirSync(path.join(modules, entry)).map((name) => path.join(modules, entry, name))
      : [path.join(modules, entry)],
  );
  return packageDirs.flatMap((dir) => {
    const file = path.join(dir, "package.json");
    if (!fs.existsSync(file)) return [];
    const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
    if (!pkg.pulumi?.resource) return [];
    const name: string = pkg.pulumi.name ?? String(pkg.name).replace(/^@pulumi\//, "").replace(/^@/, "");
    const version: string = pkg.pulumi.version ?? pkg.version;
    const dependency = new plugin.PluginDependency();
    dependency.setName(name);
    dependency.setKind("resource");
    dependency.setVersion(version.startsWith("v") ? version : `v${version}`);
    if (pkg.pulumi.server) dependency.setServer(pkg.pulumi.server);
    return [dependency];
  });
}

/** The `cmd/run` command line for a RunRequest. */
function runArguments(req: language.RunRequest, root: string, entryPoint: string): string[] {
  const flags: Record<string, string> = {
    monitor: req.getMonitorAddress(),
    engine: engineAddress,
    organization: req.getOrganization(),
    project: req.getProject(),
    stack: req.getStack(),
    pwd: req.getPwd(),
    "root-directory": root,
    parallel: String(req.getParallel()),
  };
  const args = Object.entries(flags)
    .filter(([, value]) => value !== "")
    .map(([flag, value]) => `--${flag}=${value}`);
  if (req.getDryrun()) args.push("--dry-run");
  return [...args, entryPoint, ...req.getArgsList()];
}

function run(req: language.RunRequest): Promise<language.RunResponse> {
  const info = programInfo(req.getInfo(), req.getPwd());
  const runScript = require.resolve("@pulumi/pulumi/cmd/run", { paths: [info.directory] });
  const nodeArgs = nodeArguments(info.options);
  const env = {
    ...process.env,
    PULUMI_CONFIG: JSON.stringify(Object.fromEntries(req.getConfigMap().entries())),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList()),
    PULUMI_NODEJS_TYPESCRIPT: String(info.options.typescript ?? true),
  };
  const child = spawn(process.execPath, [...nodeArgs, runScript, ...runArguments(req, info.root, info.entryPoint)], {
    cwd: req.getPwd() || info.directory,
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  return new Promise((resolve) => {
    child.on("error", (error) => resolve(runResponse(`could not start node: ${error.message}`, false)));
    child.on("exit", (code, signal) => {
      if (code === 0) resolve(runResponse("", false));
      else if (code === EXITED_AFTER_USER_MESSAGE) resolve(runResponse("", true));
      else resolve(runResponse(`Program exited with ${signal ? `signal ${signal}` : `code ${code}`}`, false));
    });
  });
}

function nodeArguments(options: Options): string[] {
  return (options.nodeargs ?? "").split(/\s+/).filter(Boolean);
}

/** Plugins written in Node.js; of those, the engine asks this host to run policy packs only. */
function runPlugin(call: grpc.ServerWritableStream<language.RunPluginRequest, language.RunPluginResponse>): void {
  const req = call.request;
  if (req.getKind() !== ANALYZER_KIND) {
    call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: `this language host runs policy packs only, not ${req.getKind()} plugins` });
    return;
  }
  const { directory, options } = programInfo(req.getInfo(), req.getPwd());
  runPolicyPack(call, { directory, nodeArgs: nodeArguments(options), typescript: options.typescript ?? true });
}

function runResponse(error: string, bail: boolean): language.RunResponse {
  const response = new language.RunResponse();
  response.setError(error);
  response.setBail(bail);
  return response;
}

function unary<Req, Res>(handler: (req: Req) => Res | Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handler(call.request))
      .then((res) => callback(null, res))
      .catch((error: Error) => callback({ code: grpc.status.INTERNAL, details: error.message }));
  };
}

const service: Partial<languageGrpc.ILanguageRuntimeServer> = {
  getRequiredPlugins: unary((req: language.GetRequiredPluginsRequest) => {
    const response = new language.GetRequiredPluginsResponse();
    response.setPluginsList(requiredPlugins(programInfo(req.getInfo(), req.getPwd()).directory));
    return response;
  }),
  run: unary(run),
  runPlugin,
  getPluginInfo: unary(() => new plugin.PluginInfo().setVersion(sdkVersion)),
  about: unary(() => new language.AboutResponse().setExecutable(process.execPath).setVersion(process.version)),
};

const server = new grpc.Server();
server.addService(languageGrpc.LanguageRuntimeService, service as languageGrpc.ILanguageRuntimeServer);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    process.stderr.write(`language host could not listen: ${error.message}\n`);
    process.exit(1);
  }
  // The engine reads the port from the first line we print.
  process.stdout.write(`${port}\n`);
});
