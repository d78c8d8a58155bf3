import type { Command } from "./command";

export const parityCommands: Record<string, Command> = {};
