// The public self-service page: it shows the step the server's run is on and
// sends the customer's answers; the server checks each answer and runs the
// script's actions. No framework: it has to load fast on a phone.

const app = document.getElementById('app');
const token = decodeURIComponent(location.pathname.split('/').pop() ?? '');
let session;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'onclick' || k === 'onsubmit') node[k] = v;
    else if (v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : v);
  }
  for (const child of children) node.append(child);
  return node;
}

async function api(path, body) {
  const res = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const data = await res.json();
  if (!res.ok) throw new Error(data.error?.message ?? `error ${res.status}`);
  return data;
}

function showError(message) {
  app.replaceChildren(el('h1', {}, 'Sorry'), el('p', { class: 'error', role: 'alert' }, message));
}

function questionInput(q) {
  if (q.type === 'choice') {
    return el('div', { role: 'radiogroup' }, ...q.options.map((o) =>
      el('label', { class: 'option' }, el('input', { type: 'radio', name: 'answer', value: o.value, checked: q.previous === o.value }), ' ', o.label)));
  }
  if (q.type === 'yesno') {
    return el('div', { role: 'radiogroup' },
      el('label', { class: 'option' }, el('input', { type: 'radio', name: 'answer', value: 'yes', checked: q.previous === true }), ' Yes'),
      el('label', { class: 'option' }, el('input', { type: 'radio', name: 'answer', value: 'no', checked: q.previous === false }), ' No'));
  }
  const type = q.type === 'number' ? 'number' : q.type === 'date' ? 'date' : 'text';
  return el('input', { type, name: 'answer', id: 'answer', required: q.required, value: q.previous ?? undefined, step: q.type === 'number' ? 'any' : undefined });
}

function readAnswer(form, q) {
  if (q.type === 'choice' || q.type === 'yesno') {
    const picked = form.querySelector('input[name=answer]:checked');
    if (!picked) return null;
    return q.type === 'yesno' ? picked.value === 'yes' : picked.value;
  }
  const raw = form.querySelector('#answer').value;
  if (raw === '') return null;
  return q.type === 'number' ? Number(raw) : raw;
}

function render(errors = []) {
  const step = session.step;
  const parts = [el('h1', {}, session.title)];
  if (step.title) parts.push(el('h2', {}, step.title));
  for (const text of step.info) parts.push(el('p', { class: 'info' }, text));
  if (step.kind === 'end') {
    parts.push(el('p', { class: 'done', id: 'outcome', 'data-outcome': session.outcome ?? '' }, 'Thank you. You can close this page.'));
    app.replaceChildren(...parts);
    return;
  }
  const form = el('form', { novalidate: true });
  const buttons = el('div', { class: 'actions' });
  if (step.question) {
    form.append(el('p', {}, el('strong', {}, step.question.prompt)), questionInput(step.question));
  }
  for (const e of errors) form.append(el('p', { class: 'error', role: 'alert' }, e.message));
  if (step.canGoBack) buttons.append(el('button', { type: 'button', class: 'secondary', onclick: () => move('back') }, 'Back'));
  buttons.append(el('button', { type: 'submit', id: 'continue' }, 'Continue'));
  form.append(buttons);
  form.onsubmit = async (event) => {
    event.preventDefault();
    if (!step.question) return move('next');
    try {
      const result = await api(`/api/self-service/sessions/${session.id}/answer`, { value: readAnswer(form, step.question) });
      session = result.session;
      render(result.errors);
    } catch (err) {
      showError(err.message);
    }
  };
  parts.push(form);
  app.replaceChildren(...parts);
  form.querySelector('input')?.focus();
}

async function move(where) {
  try {
    session = await api(`/api/self-service/sessions/${session.id}/${where}`, {});
    render();
  } catch (err) {
    showError(err.message);
  }
}

async function begin(body) {
  session = await api('/api/self-service/sessions', { token, ...body });
  render();
}

// A link for anyone: the visitor proves the number is theirs with a code sent to
// the contact on record, or goes on without one (then nothing stored is shown).
function askPhone(link) {
  const form = el('form', {},
    el('h1', {}, link.title),
    el('p', {}, el('label', { for: 'phone' }, 'Your phone number')),
    el('input', { type: 'tel', id: 'phone', autocomplete: 'tel', required: true }),
    el('p', { class: 'info' }, 'We send a code to the e-mail address or phone we have on record for this number, so only you see your details.'),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', id: 'send-code' }, 'Send me a code'),
      el('button', { type: 'button', class: 'secondary', id: 'start', onclick: () => withoutCode() }, 'Continue without a code')));
  const phone = () => form.querySelector('#phone').value;
  const withoutCode = () => begin({ phone: phone() }).catch((err) => showError(err.message));
  form.onsubmit = async (event) => {
    event.preventDefault();
    try {
      const sent = await api('/api/self-service/codes', { token, phone: phone() });
      askCode(link, phone(), sent.challenge);
    } catch (err) {
      showError(err.message);
    }
  };
  app.replaceChildren(form);
  form.querySelector('#phone').focus();
}

function askCode(link, phone, challenge, error) {
  const form = el('form', {},
    el('h1', {}, link.title),
    el('p', {}, `If ${phone} is on record with us, we have sent a code to the e-mail address or phone we know. It is good for ${link.codeMinutes} minutes.`),
    el('p', {}, el('label', { for: 'code' }, 'The code')),
    el('input', { type: 'text', id: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', required: true }));
  if (error) form.append(el('p', { class: 'error', role: 'alert' }, error));
  form.append(el('div', { class: 'actions' },
    el('button', { type: 'submit', id: 'verify' }, 'Confirm'),
    el('button', { type: 'button', class: 'secondary', id: 'start', onclick: () => begin({ phone }).catch((err) => showError(err.message)) }, 'Continue without a code')));
  form.onsubmit = async (event) => {
    event.preventDefault();
    try {
      await begin({ challenge, code: form.querySelector('#code').value });
    } catch (err) {
      askCode(link, phone, challenge, err.message);
    }
  };
  app.replaceChildren(form);
  form.querySelector('#code').focus();
}

async function main() {
  let link;
  try {
    link = await api(`/api/self-service/links/${encodeURIComponent(token)}`);
  } catch (err) {
    return showError(err.message);
  }
  document.title = link.title;
  if (!link.needsPhone) return begin({}).catch((err) => showError(err.message));
  askPhone(link);
}

main();
