// Agent accounts (profile: device, skills, queues) and their current state,
// kept so that logged-in agents stay logged in across a restart.

import type { SqlExecutor } from '../../../store/database.js';
import type { AgentState, PendingChange } from '../agent-state.js';
import type { AgentDevice, AgentProfile, QueueMembership, SkillLevels } from '../model.js';
import type { Origin } from './queues-repo.js';

export interface StoredAgent {
  profile: AgentProfile;
  origin: Origin;
  state: AgentState;
  stateReason: string;
  stateSince: number;
  /** A forced break or logout to take when the call's work ends (kept across a restart). */
  pending: PendingChange | undefined;
}

interface AgentRow {
  login: string;
  name: string;
  device: string;
  skills: string;
  queues: string;
  origin: Origin;
  state: AgentState;
  state_reason: string;
  state_since: number;
  pending_state: PendingChange['state'] | null;
  pending_reason: string | null;
}

function toStored(row: AgentRow): StoredAgent {
  return {
    profile: {
      login: row.login,
      name: row.name,
      device: JSON.parse(row.device) as AgentDevice,
      skills: JSON.parse(row.skills) as SkillLevels,
      queues: JSON.parse(row.queues) as QueueMembership[],
    },
    origin: row.origin,
    state: row.state,
    stateReason: row.state_reason,
    stateSince: row.state_since,
    pending: row.pending_state === null ? undefined : { state: row.pending_state, reason: row.pending_reason ?? '' },
  };
}

const columns = 'login, name, device, skills, queues, origin, state, state_reason, state_since, pending_state, pending_reason';

export class AgentsRepository {
  constructor(private readonly db: SqlExecutor) {}

  /** Create or update the profile; a new agent starts logged out, an existing one keeps its state. */
  async saveProfile(profile: AgentProfile, origin: Origin, now: number): Promise<void> {
    await this.db.run(
      `INSERT INTO acd_agents (login, name, device, skills, queues, origin, state, state_reason, state_since, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'logged-out', '', ?, ?, ?)
       ON CONFLICT (login) DO UPDATE SET name = excluded.name, device = excluded.device, skills = excluded.skills,
         queues = excluded.queues, origin = excluded.origin, updated_at = excluded.updated_at`,
      [profile.login, profile.name, JSON.stringify(profile.device), JSON.stringify(profile.skills), JSON.stringify(profile.queues), origin, now, now, now],
    );
  }

  /** The current state, and the change pending until the call's work ends (none: cleared). */
  async saveState(login: string, state: AgentState, reason: string, since: number, pending?: PendingChange): Promise<void> {
    await this.db.run(
      'UPDATE acd_agents SET state = ?, state_reason = ?, state_since = ?, pending_state = ?, pending_reason = ? WHERE login = ?',
      [state, reason, since, pending?.state ?? null, pending?.reason ?? null, login],
    );
  }

  /** A change asked while the agent is busy, taken when the call's work ends (none: cleared). */
  async savePending(login: string, pending: PendingChange | undefined): Promise<void> {
    await this.db.run('UPDATE acd_agents SET pending_state = ?, pending_reason = ? WHERE login = ?', [pending?.state ?? null, pending?.reason ?? null, login]);
  }

  async get(login: string): Promise<StoredAgent | undefined> {
    const row = await this.db.get<AgentRow>(`SELECT ${columns} FROM acd_agents WHERE login = ?`, [login]);
    return row && toStored(row);
  }

  async list(): Promise<StoredAgent[]> {
    return (await this.db.all<AgentRow>(`SELECT ${columns} FROM acd_agents ORDER BY login`)).map(toStored);
  }

  async delete(login: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM acd_agents WHERE login = ?', [login])).changes > 0;
  }
}
