// Admin console, prompts: the prompts of each language (uploaded ones and the built-in
// set), played in the page, uploaded from a WAV file (the server converts it to 8 kHz
// mono and says why when it cannot) and deleted (a built-in one it replaced comes back).
import { useState } from 'preact/hooks';
import { api, putBytes } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import type { PromptView } from '../../wire.js';
import { errorText } from '../../format.js';
import { ErrorLine, SelectInput, TextInput, useAdminList } from './form.js';

/** The languages a site may upload prompts in (server/src/services/prompts/library.ts). */
const UPLOAD_LANGUAGES = ['en', 'pt-BR', 'es'] as const;

/** A prompt name suggested by a file name: "Welcome Message.wav" → "welcome-message". */
function nameFromFile(fileName: string): string {
  return fileName.replace(/\.[^.]*$/, '').toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+|-+$/g, '').slice(0, 64);
}

const promptAudioUrl = (p: { language: string; name: string }): string =>
  `/api/prompts/${encodeURIComponent(p.language)}/${encodeURIComponent(p.name)}`;

export function PromptsSection() {
  const { t } = useI18n();
  const [language, setLanguage] = useState<string>('en');
  const prompts = useAdminList<PromptView>(`/api/prompts?language=${encodeURIComponent(language)}`);
  const [listError, setListError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [fileInputKey, setFileInputKey] = useState(0);
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // The uploaded prompt whose Delete was clicked once: a second click confirms.
  const [confirming, setConfirming] = useState<string | null>(null);

  // The site's own prompts first: they are what an admin uploads, replaces and deletes.
  const listed = prompts.items && [...prompts.items].sort((x, y) => Number(y.source === 'uploaded') - Number(x.source === 'uploaded') || x.name.localeCompare(y.name));

  const upload = (e: Event): void => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setFormError(null);
    setDone(null);
    // The file's own bytes; the server reads the WAV header itself, whatever the browser calls the type.
    putBytes<PromptView>(promptAudioUrl({ language, name }), file, 'audio/wav').then(
      (p) => {
        setDone(t('promptUploaded', { name: p.name, seconds: p.durationSeconds.toFixed(1) }));
        setName('');
        setFile(null);
        setFileInputKey((k) => k + 1);
        prompts.reload();
      },
      (err: unknown) => setFormError(errorText(err)),
    ).finally(() => setBusy(false));
  };

  const remove = (p: PromptView): void => {
    setConfirming(null);
    setDone(null);
    setListError(null);
    api.del(promptAudioUrl(p)).then(
      () => { setDone(t('promptDeleted', { name: p.name })); prompts.reload(); },
      (err: unknown) => setListError(errorText(err)),
    );
  };

  return (
    <div class="admin-section">
      <div class="card">
        <div class="admin-toolbar">
          <h2>{t('adminPrompts')}</h2>
          <SelectInput id="prompt-language" label={t('promptLanguage')} value={language} onValue={setLanguage}
            options={UPLOAD_LANGUAGES.map((l) => ({ value: l, label: l }))} />
        </div>
        <ErrorLine id="prompts-error" message={(listError ?? prompts.error) && t('error', { message: listError ?? prompts.error ?? '' })} />
        {done && <p class="ok" role="status" id="prompt-done">{done}</p>}
        {prompts.items === null && !prompts.error && <p class="muted">{t('loading')}</p>}
        {listed && listed.length === 0 && <p class="muted">{t('promptNone')}</p>}
        {listed && listed.length > 0 && (
          <table class="admin-list" id="prompts">
            <thead><tr><th>{t('promptName')}</th><th>{t('promptSource')}</th><th>{t('promptDuration')}</th><th>{t('promptListen')}</th><th /></tr></thead>
            <tbody>
              {listed.map((p) => (
                <tr data-prompt={p.name} data-source={p.source}>
                  <td><b>{p.name}</b></td>
                  <td>
                    {p.source === 'uploaded' ? t('promptUploadedSource') : t('promptBuiltin')}
                    {p.overridesBuiltin && <span class="badge">{t('promptOverrides')}</span>}
                  </td>
                  <td class="num">{p.durationSeconds.toFixed(1)} s</td>
                  <td><audio controls preload="none" src={promptAudioUrl(p)} /></td>
                  <td>
                    {p.source === 'uploaded' && confirming !== p.name && <button class="small danger" data-delete={p.name} onClick={() => setConfirming(p.name)}>{t('promptDelete')}</button>}
                    {p.source === 'uploaded' && confirming === p.name && (
                      <span class="row">
                        {t('admConfirmDelete')}
                        <button class="small danger" data-delete-confirm={p.name} onClick={() => remove(p)}>{t('yes')}</button>
                        <button class="small secondary" onClick={() => setConfirming(null)}>{t('no')}</button>
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <form class="card admin-form" id="prompt-upload" noValidate onSubmit={upload}>
        <h2>{t('promptUploadTitle', { language })}</h2>
        <p class="muted">{t('promptUploadHelp')}</p>
        <label class="field">
          <span>{t('promptFile')}</span>
          <input key={fileInputKey} id="prompt-file" type="file" accept=".wav,audio/wav,audio/x-wav" required
            onChange={(e) => {
              const chosen = (e.currentTarget as HTMLInputElement).files?.[0] ?? null;
              // Suggest a name from the file unless the admin typed one of their own.
              if (chosen && (name === '' || (file !== null && name === nameFromFile(file.name)))) setName(nameFromFile(chosen.name));
              setFile(chosen);
            }} />
        </label>
        <TextInput id="prompt-name" label={t('promptName')} value={name} hint={t('promptNameHint')} onValue={setName} />
        <ErrorLine id="prompt-error" message={formError} />
        <div class="form-bar">
          <span class="spacer" />
          <button id="prompt-upload-submit" type="submit" disabled={busy || !file || name.trim() === ''}>{busy ? t('promptUploading') : t('promptUpload')}</button>
        </div>
      </form>
    </div>
  );
}
