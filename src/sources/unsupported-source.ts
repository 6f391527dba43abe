// A valid profile whose system this build cannot read yet: it shows as disconnected with a clear reason
// instead of failing silently, and never retries (retrying cannot help).
import type { ConnectionProfile } from '../core/config/connection-profile';
import { PermanentSourceError, type ActionDeclaration, type ActionResult, type Source } from '../core/source/source';

export class UnsupportedSource implements Source {
  readonly reason: string;

  constructor(readonly profile: ConnectionProfile) {
    this.reason = `${profile.system} over ${profile.kind} is not supported by this version of Taskscope yet`;
  }

  async connect(): Promise<void> { throw new PermanentSourceError(this.reason); }
  async disconnect(): Promise<void> {}
  setVisible(): void {}
  async refresh(): Promise<void> {}
  actions(): readonly ActionDeclaration[] { return []; }
  async runAction(): Promise<ActionResult> { return { ok: false, affected: 0, message: this.reason }; }
}
