// fleet: the command-line jobs of keycloak-fleet (npm run fleet -- <command>).
import { devAdminPassword, devDown, devUp } from "./dev";
import { writeSchema } from "./schema";

const usage = `usage: fleet <command> [--stack NAME]

  dev up              start a local Keycloak and deploy the stack onto it (default stack: dev)
  dev down            stop it and forget the stack and its data
  dev admin-password  print the local administrator's password
  schema              regenerate schema/realm-spec.schema.json from the zod schema`;

const commands: Record<string, (stack: string) => Promise<void>> = {
  "dev up": devUp,
  "dev down": devDown,
  "dev admin-password": devAdminPassword,
  schema: writeSchema,
};

async function main(argv: string[]): Promise<void> {
  const stackFlag = argv.indexOf("--stack");
  const stack = stackFlag >= 0 ? argv[stackFlag + 1] : "dev";
  const words = stackFlag >= 0 ? argv.filter((_, i) => i !== stackFlag && i !== stackFlag + 1) : argv;
  const command = commands[words.slice(0, 2).join(" ")] ?? commands[words[0]];
  if (!command || !stack) {
    process.stderr.write(`${usage}\n`);
    process.exitCode = 2;
    return;
  }
  await command(stack);
}

main(process.argv.slice(2)).catch((error: Error) => {
  // Automation API errors carry the whole CLI transcript; its last lines say what went wrong.
  process.stderr.write(`error: ${error.message.trim().split("\n").slice(-15).join("\n")}\n`);
  process.exitCode = 1;
});
