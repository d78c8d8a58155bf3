import type { Command } from "./command";

export const stackCommands: Record<string, Command> = {};
