// The committed broken flows (broken/*) and the one problem each must report,
// exactly as `tenor check-flow` prints it (after the file name). Names are
// checked against the site in site.yaml: queues sales and support, agent alice,
// flow demo-main, voicemail boxes general / queue:* / agent:*.

import { fileURLToPath } from 'node:url';

export const brokenDir = fileURLToPath(new URL('./broken/', import.meta.url));
export const flowsDir = fileURLToPath(new URL('./flows/', import.meta.url));
export const siteFile = fileURLToPath(new URL('./site.yaml', import.meta.url));
export const demoFlowFile = fileURLToPath(new URL('../../flows/demo-main.yaml', import.meta.url));

export const brokenFlows: Record<string, string> = {
  'yaml-syntax.yaml': '8:5: not valid YAML/JSON: Flow sequence in block collection must be sufficiently indented and end with a ]',
  'duplicate-node.yaml': '11:3: not valid YAML/JSON: Map keys must be unique',
  'not-a-flow.json': '1:1: a flow is a map with name, version, start and nodes; found a list',
  'missing-version.json': "1:1: missing required field 'version'",
  'unknown-type.yaml':
    "10:11: node 'bye': unknown node type \"hang-up\" (known: play, menu, collect, condition, lookup-customer, http, set, queue, voicemail, transfer, subflow, return, hangup)",
  'unknown-field.yaml': "9:5: node 'menu': unknown field 'timout' in a menu node (did you mean 'timeout'?)",
  'missing-field.yaml': "5:3: node 'menu': missing required field 'options'",
  'missing-target.yaml': "5:3: node 'hello': missing required field 'next'",
  'unknown-target.yaml': "10:12: node 'menu': option '2' names unknown node 'suport'",
  'unknown-start.yaml': "3:8: start names unknown node 'welcome'",
  'unreachable.yaml': "9:3: node 'forgotten': unreachable: no path leads here from start 'hello'",
  'loop-without-input.yaml': "5:3: node 'hello': loop hello -> again -> check -> hello never waits for input (add a menu or collect to it)",
  'missing-prompt.yaml': "7:24: node 'hello': prompt 'wellcome-back' has no recording for language en",
  'missing-prompt-language.yaml': "12:15: node 'hello': prompt 'welcome' has no recording for language fr",
  'invalid-time-range.yaml': "9:40: node 'hours': invalid time range '08:00-25:00': '25:00' is not a time of day (00:00 to 24:00)",
  'bad-recording-policy.yaml': "13:26: node 'sales': recording policy 'always' is not one of all, never, on-demand or a percentage such as \"25%\"",
  'invalid-day.yaml': "9:24: node 'hours': invalid day \"mon-fry\": use mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri",
  'invalid-date.yaml': '6:5: invalid date "2026-02-30": use YYYY-MM-DD, or MM-DD for every year',
  'invalid-timezone.yaml': "3:11: unknown time zone 'America/Sao_Paolo' (use an IANA name such as America/Sao_Paulo or UTC)",
  'unknown-calendar.yaml': "11:26: node 'hours': unknown holiday calendar 'natonal' (calendars: national)",
  'bad-duration.yaml': "9:14: node 'menu': timeout must be a duration such as 5s, 500ms or 1m (at most 10m); found string \"five seconds\"",
  'bad-option-key.yaml': "10:7: node 'menu': option '12' is not a key of the keypad (0-9, '*', '#')",
  'bad-reference.yaml': "10:16: node 'dip': 'account' is not a reference: it must start with caller., customer., vars. or be language",
  'invalid-regex.yaml': "9:14: node 'account': invalid pattern /[0-9{6}/: Unterminated character class",
  'transfer-two-targets.yaml': "5:3: node 'out': a transfer takes one of number, agent or flow, not number and agent",
  'unknown-queue.yaml': "17:12: node 'support': unknown queue 'suport' (known: sales, support)",
  'unknown-box.yaml': "8:10: node 'message': unknown voicemail box 'generl' (known: agent:alice, general, queue:sales, queue:support)",
  'unknown-flow.yaml': "7:11: node 'identify': unknown flow 'authenticate'",
  'unknown-agent.yaml': "7:12: node 'boss': unknown agent 'bob' (known: alice)",
};
