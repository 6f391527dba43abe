// One Nexus deployment seen through several connections (a Redis profile and a WebSocket profile, both with the
// profile option `nexusDeployment: "<name>"`). Without this each connection would show the same workers, tasks and
// research tasks, counted twice. Members share one DedupSet, so an event delivered by both transports is taken
// once, and every event goes to one *owner* to be mapped and emitted under the owner's connection: the connected
// member with the lowest rank (the Redis source, which also reads the deployment's Redis state), then the lowest
// profile id. The other members keep their connection state and count rejects, but emit no entities; they are a
// second feed, so an event missed on one transport still arrives through the other. Membership lasts from connect
// to disconnect: while the owner is down, the next member owns (and its connection shows the entities meanwhile).
// In-process only: a registry per extension host / CLI process.
import { DedupSet } from '../../core/util/dedup-set';
import type { NexusEvent } from './nexus-events';

export const NEXUS_DEPLOYMENT_OPTION = 'nexusDeployment';
const DEDUP_CAPACITY = 20_000;

export interface NexusDeploymentMember {
  readonly connectionId: string;
  /** Lower owns first: 0 for the Redis source, 1 for the WebSocket source. */
  readonly rank: number;
  /** Maps and emits an event under this member's connection (called on the owner only). */
  deliver(event: NexusEvent, text: string | undefined): void;
}

export interface NexusDeploymentMembership {
  readonly name: string;
  readonly dedup: DedupSet;
  /** Hands a (de-duplicated) event to the owner; false when `member` is not joined (then it maps it itself). */
  route(event: NexusEvent, text: string | undefined): boolean;
  /** Whether this member is the one emitting the deployment's entities. */
  owns(): boolean;
  leave(): void;
}

interface Deployment { readonly dedup: DedupSet; readonly members: NexusDeploymentMember[] }
const deployments = new Map<string, Deployment>();

/** The deployment name from a profile's options, when it has a usable one. */
export function nexusDeploymentName(options: Readonly<Record<string, unknown>>): string | undefined {
  const v = options[NEXUS_DEPLOYMENT_OPTION];
  return typeof v === 'string' && v.trim().length > 0 ? v.trim().slice(0, 200) : undefined;
}

/** The shared de-dup of a deployment; it outlives memberships, so ids seen before a reconnect stay known. */
export function nexusDeploymentDedup(name: string): DedupSet {
  let d = deployments.get(name);
  if (!d) {
    d = { dedup: new DedupSet(DEDUP_CAPACITY), members: [] };
    deployments.set(name, d);
  }
  return d.dedup;
}

export function joinNexusDeployment(name: string, member: NexusDeploymentMember): NexusDeploymentMembership {
  const dedup = nexusDeploymentDedup(name);
  const d = deployments.get(name)!;
  if (!d.members.includes(member)) d.members.push(member);
  const owner = (): NexusDeploymentMember | undefined => {
    let best: NexusDeploymentMember | undefined;
    for (const m of d.members) {
      if (!best || m.rank < best.rank || (m.rank === best.rank && m.connectionId < best.connectionId)) best = m;
    }
    return best;
  };
  let joined = true;
  return {
    name, dedup,
    route(event, text) {
      if (!joined) return false;
      (owner() ?? member).deliver(event, text);
      return true;
    },
    owns: () => joined && owner() === member,
    leave() {
      if (!joined) return;
      joined = false;
      const i = d.members.indexOf(member);
      if (i >= 0) d.members.splice(i, 1);
      // The deployment (one bounded DedupSet) stays: sources hold its DedupSet across reconnects.
    },
  };
}
