// fleet: the command-line jobs of keycloak-fleet (npm run fleet -- <command>).
// Exit codes: 0 done (or nothing to report), 1 an error, 2 differences found (parity, drift).
import { parseArgs } from "node:util";
import type { Command } from "./command";
import { commands } from "./commands";
import { CommandError } from "./console";

function usage(): string {
  return ["usage: npm run fleet -- <command> [flags]", "", ...Object.values(commands).map((c) => `  ${c.usage}\n      ${c.summary}`)].join("\n");
}

/** The command whose words start argv (two words first: "users add" before "users"). */
function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const command = commands[argv.slice(0, words).join(" ")];
    if (command) return { command, rest: argv.slice(words) };
  }
  return undefined;
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === "help" || argv[0] === "--help") {
    process.stdout.write(`${usage()}\n`);
    return argv.length === 0 ? 1 : 0;
  }
  const found = findCommand(argv);
  if (!found) throw new CommandError(`unknown command "${argv.slice(0, 2).join(" ")}"`, `the commands are:\n${usage()}`);
  const { command, rest } = found;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CommandError((error as Error).message, `usage: npm run fleet -- ${command.usage}`);
  }
  const [min, max] = Array.isArray(command.positionals) ? command.positionals : [command.positionals ?? 0, command.positionals ?? 0];
  if (parsed.positionals.length < min || parsed.positionals.length > max)
    throw new CommandError(`expected ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? "" : "s"}, got ${parsed.positionals.length}`, `usage: npm run fleet -- ${command.usage}`);
  return (await command.run({ positionals: parsed.positionals, values: parsed.values, usage: command.usage })) ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    if (error instanceof CommandError) {
      process.stderr.write(`error: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ""}`);
    } else {
      // Automation API errors carry the whole CLI transcript; its last lines say what went wrong.
      process.stderr.write(`error: ${error.message.trim().split("\n").slice(-15).join("\n")}\n`);
    }
    process.exitCode = 1;
  },
);
