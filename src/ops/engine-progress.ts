// Progress on stderr while the engine works through a large stack, for the commands that run it.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { count, progress } from "./console";


/**
 * Progress on stderr while the engine works, since a refresh reads every resource back one
 * request at a time: how far it got, every few seconds.
 */
export class EngineProgress {
  private read = 0;
  private compared = 0;
  private readonly timer = setInterval(() => this.report(), 10_000);

  record(event: EngineEvent): void {
    if (event.resOutputsEvent?.metadata.op === "refresh") this.read += 1;
    const step = event.resourcePreEvent?.metadata;
    if (!step || step.op === "refresh") return;
    if (this.compared++ === 0) progress(`read ${count(this.read, "resource")} back from Keycloak; comparing them with the code`);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private report(): void {
    progress(`so far ${count(this.read, "resource")} read back from Keycloak, ${this.compared} compared with the code`);
  }
}
