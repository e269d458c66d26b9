// The UI's languages and the translate function. The language comes from a stored
// choice (the switch in the header), else the browser's preferred languages, else English.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en, type MessageKey, type Messages } from './en.js';
import { ptBR } from './pt-BR.js';
import { es } from './es.js';

export type Lang = 'en' | 'pt-BR' | 'es';
export const languages: ReadonlyArray<{ code: Lang; label: string }> = [
  { code: 'en', label: 'English' },
  { code: 'pt-BR', label: 'Português (Brasil)' },
  { code: 'es', label: 'Español' },
];
const dictionaries: Record<Lang, Messages> = { en, 'pt-BR': ptBR, es };
const storageKey = 'tenor.lang';

export function initialLanguage(): Lang {
  const stored = localStorage.getItem(storageKey);
  if (stored === 'en' || stored === 'pt-BR' || stored === 'es') return stored;
  for (const pref of navigator.languages ?? [navigator.language]) {
    const lower = pref.toLowerCase();
    if (lower.startsWith('pt')) return 'pt-BR';
    if (lower.startsWith('es')) return 'es';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export function rememberLanguage(lang: Lang): void {
  localStorage.setItem(storageKey, lang);
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const dict = dictionaries[lang];
  return (key, vars) => {
    let text = dict[key];
    if (vars) for (const [name, value] of Object.entries(vars)) text = text.replace(`{${name}}`, String(value));
    return text;
  };
}

export const I18n = createContext<{ t: Translate; lang: Lang }>({ t: translator('en'), lang: 'en' });
export const useI18n = (): { t: Translate; lang: Lang } => useContext(I18n);
export type { MessageKey };
