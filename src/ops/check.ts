import type { Command } from "./command";

export const checkCommands: Record<string, Command> = {};
