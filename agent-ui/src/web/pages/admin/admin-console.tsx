// The admin console: one sub-page per thing an admin configures, chosen by the
// location hash (#/admin/<section>) so a reload or a shared link opens the same section.
import { useEffect, useState } from 'preact/hooks';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { QueuesSection } from './queues.js';
import { AgentsSection } from './agents.js';
import { UsersSection } from './users.js';
import { TrunksSection } from './trunks.js';
import { EntryNumbersSection } from './entry-numbers.js';
import { PromptsSection } from './prompts.js';
import { FlowsSection } from './flows.js';
import { ScriptsSection } from './scripts.js';
import { ServicesSection } from './services.js';
import { WebhooksSection } from './webhooks.js';
// quality (Q)
import { ScorecardsSection } from '../quality/scorecards-admin.js';
// API tokens (H)
import { ApiTokensSection } from './api-tokens.js';

const sections = {
  queues: { label: 'adminQueues', view: QueuesSection },
  agents: { label: 'adminAgents', view: AgentsSection },
  users: { label: 'adminUsers', view: UsersSection },
  trunks: { label: 'adminTrunks', view: TrunksSection },
  numbers: { label: 'adminNumbers', view: EntryNumbersSection },
  prompts: { label: 'adminPrompts', view: PromptsSection },
  flows: { label: 'adminFlows', view: FlowsSection },
  scripts: { label: 'adminScripts', view: ScriptsSection },
  services: { label: 'adminServices', view: ServicesSection },
  webhooks: { label: 'adminWebhooks', view: WebhooksSection },
  // quality (Q)
  scorecards: { label: 'adminScorecards', view: ScorecardsSection },
  // API tokens (H)
  'api-tokens': { label: 'adminApiTokens', view: ApiTokensSection },
} satisfies Record<string, { label: MessageKey; view: () => preact.JSX.Element }>;

type Section = keyof typeof sections;

function sectionFromHash(): Section {
  const wanted = location.hash.replace(/^#\/?admin\/?/, '').split('/')[0] ?? '';
  return wanted in sections ? (wanted as Section) : 'queues';
}

export function AdminConsole() {
  const { t } = useI18n();
  const [section, setSection] = useState<Section>(sectionFromHash());
  useEffect(() => {
    const onHash = (): void => setSection(sectionFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const View = sections[section].view;
  return (
    <div class="admin">
      <nav class="subtabs" id="admin-sections">
        {(Object.keys(sections) as Section[]).map((s) => (
          <a href={`#/admin/${s}`} class={s === section ? 'active' : ''} data-section={s}>{t(sections[s].label)}</a>
        ))}
      </nav>
      <section class="admin-body" data-section={section}>
        <View />
      </section>
    </div>
  );
}
