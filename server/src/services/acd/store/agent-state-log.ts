// The agent state log: one line per state change, append-only. Reports of
// agent availability and the live monitor read it.

import type { SqlExecutor } from '../../../store/database.js';
import type { AgentState, AgentStateChange } from '../agent-state.js';

interface LogRow {
  login: string;
  from_state: AgentState;
  to_state: AgentState;
  reason: string;
  call_id: string | null;
  at: number;
}

export class AgentStateLog {
  constructor(private readonly db: SqlExecutor) {}

  async append(change: AgentStateChange): Promise<void> {
    await this.db.run('INSERT INTO acd_agent_state_log (login, from_state, to_state, reason, call_id, at) VALUES (?, ?, ?, ?, ?, ?)', [
      change.login, change.from, change.to, change.reason, change.callId ?? null, change.at,
    ]);
  }

  /** Changes in time order, optionally for one agent and a time range [from, to). */
  async list(filter: { login?: string; from?: number; to?: number; limit?: number } = {}): Promise<AgentStateChange[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.login !== undefined) (where.push('login = ?'), params.push(filter.login));
    if (filter.from !== undefined) (where.push('at >= ?'), params.push(filter.from));
    if (filter.to !== undefined) (where.push('at < ?'), params.push(filter.to));
    params.push(filter.limit ?? 1000);
    const rows = await this.db.all<LogRow>(
      `SELECT login, from_state, to_state, reason, call_id, at FROM acd_agent_state_log
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id LIMIT ?`,
      params,
    );
    return rows.map((r) => ({ login: r.login, from: r.from_state, to: r.to_state, reason: r.reason, callId: r.call_id ?? undefined, at: r.at }));
  }
}
