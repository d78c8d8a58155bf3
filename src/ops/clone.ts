import type { Command } from "./command";

export const cloneCommands: Record<string, Command> = {};
