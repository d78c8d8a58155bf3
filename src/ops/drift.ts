import type { Command } from "./command";

export const driftCommands: Record<string, Command> = {};
