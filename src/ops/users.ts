import type { Command } from "./command";

export const usersCommands: Record<string, Command> = {};
