/**
 * The UI dictionaries and the invitation e-mails in every language.
 *
 * The dictionaries are imported one by one (not through i18n/index.tsx, which
 * needs React and a DOM). English is the reference: every other language has
 * exactly its keys, in its order, with the same `{placeholders}`, and a value
 * that is actually translated. The source scan keeps visible text in the
 * dictionary instead of in the markup.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Language } from '@rs/protocol';
import { INVITATION_TEMPLATES } from '../../server/src/modules/invitations/templates.js';
import { cs } from '../src/i18n/cs.js';
import { de } from '../src/i18n/de.js';
import { en, type MessageKey } from '../src/i18n/en.js';
import { fr } from '../src/i18n/fr.js';
import { nb } from '../src/i18n/nb.js';
import { sv } from '../src/i18n/sv.js';

type Lang = Language;
type Translated = Exclude<Lang, 'en'>;

const DICTS: Record<Lang, Record<string, string>> = { en, sv, nb, cs, fr, de };
const TRANSLATED: Translated[] = ['sv', 'nb', 'cs', 'fr', 'de'];
const EN_KEYS = Object.keys(en) as MessageKey[];

/**
 * The only values that may equal English, and in which languages. Each entry is
 * a product name, a universal label, or the word the language's own Webex
 * Support help uses (e.g. the German dashboard tabs "Tools" and "Session").
 */
const SAME_AS_ENGLISH: Partial<Record<MessageKey, readonly Translated[]>> = {
  'app.title': ['nb', 'de'], // "Remote Support", the product name in the nb/de help
  'inviteDialog.ok': ['sv', 'nb', 'cs', 'fr', 'de'],
  'settings.webAcd': ['sv', 'nb', 'cs', 'fr', 'de'],
  'participants.role.device': ['sv', 'nb', 'cs', 'fr', 'de'], // "Support Manager", the program's name in every help language
  'console.tab.tools': ['de'],
  'console.tab.session': ['sv', 'fr', 'de'],
  'console.tab.desktop': ['de'], // "Desktop" is the German word (the de help: "einen Desktop oder eine Anwendung teilen")
  'console.tab.application': ['fr'], // "Onglet Application" in the fr help
  'media.video': ['sv', 'nb', 'cs', 'de'], // the Video button of the Tools tab
  'media.audio': ['fr', 'de'], // the Audio button of the Tools tab
  'media.mode.standard': ['sv', 'nb', 'fr', 'de'], // the Standard display mode in Session options
  'chat.heading': ['nb', 'cs', 'fr', 'de'],
  'chat.send': ['nb'],
  'notes.heading': ['fr'],
  'notes.label': ['fr'],
  'reports.col.notes': ['fr'],
  'console.tabs': ['fr'],
  'settings.console': ['fr'],
  'participants.heading': ['fr'],
  'users.actions': ['fr'],
  'outbox.date': ['fr'],
  'common.optional': ['de'],
  'users.name': ['de'],
  'users.status': ['sv', 'nb', 'de'],
  'reports.col.role': ['cs'],
  'start.email': ['cs'],
  'folder.name': ['de'], // the Name column of the folder listing, as 'users.name'
  'folder.transferFailed': ['sv', 'nb', 'cs', 'de'], // only placeholders, '{name}: {message}' (fr puts a no-break space before the colon)
  'agent.heading': ['sv', 'nb', 'cs', 'fr', 'de'], // "Agent", the WebACD role's word in every language (as in 'users.agent')
  'agent.status': ['sv', 'nb', 'de'], // "Status", as 'users.status'
  'transferSession.agents': ['fr'], // "Agents", the French plural is the same word
  'queues.agents': ['fr'],
  'sm.heading': ['sv', 'nb', 'cs', 'fr', 'de'], // "Support Manager", the program's name (as 'participants.role.device')
  'downloads.heading': ['de'], // "Downloads" is the German word
  'downloads.linux': ['nb'], // "for" is also the Norwegian word; the rest is names
  'media.control.monitor': ['cs'], // "Monitor" is the Czech word (as in Czech system settings)
  'media.control.monitorN': ['cs'],
};

function placeholders(s: string): string[] {
  return [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();
}

describe('UI dictionaries', () => {
  test('every language of the protocol has a dictionary', () => {
    assert.deepEqual([...Language.options].sort(), (Object.keys(DICTS) as Lang[]).sort());
  });

  for (const lang of TRANSLATED) {
    describe(lang, () => {
      const dict = DICTS[lang];

      test('has exactly the keys of English, in the same order', () => {
        const wrong = [
          ...EN_KEYS.filter((k) => !Object.hasOwn(dict, k)).map((k) => `${lang}: missing key ${k}`),
          ...Object.keys(dict).filter((k) => !Object.hasOwn(en, k)).map((k) => `${lang}: extra key ${k} (not in en.ts)`),
        ];
        assert.deepEqual(wrong, [], wrong.join('\n'));
        assert.deepEqual(Object.keys(dict), EN_KEYS, `${lang}: keys are not in the order of en.ts`);
      });

      test('no value is empty', () => {
        const empty = Object.entries(dict)
          .filter(([, v]) => typeof v !== 'string' || v.trim() === '')
          .map(([k]) => k);
        assert.deepEqual(empty, [], `${lang}: empty values: ${empty.join(', ')}`);
      });

      test('keeps the placeholders of English', () => {
        const wrong = EN_KEYS.filter((k) => k in dict)
          .filter((k) => placeholders(dict[k]!).join() !== placeholders(en[k]).join())
          .map((k) => `${k}: en {${placeholders(en[k]).join('}, {')}} vs ${lang} {${placeholders(dict[k]!).join('}, {')}}`);
        assert.deepEqual(wrong, [], `${lang}: placeholders differ:\n${wrong.join('\n')}`);
      });

      test('is translated (only the allow-listed keys equal English)', () => {
        const same = EN_KEYS.filter((k) => dict[k] === en[k] && !SAME_AS_ENGLISH[k]?.includes(lang));
        assert.deepEqual(same, [], `${lang}: untranslated (same as English): ${same.join(', ')}`);
      });
    });
  }

  test('the allow-list of values equal to English has no stale entries', () => {
    const stale = Object.entries(SAME_AS_ENGLISH).flatMap(([k, langs]) =>
      (langs ?? []).filter((l) => DICTS[l][k] !== en[k as MessageKey]).map((l) => `${l}:${k}`),
    );
    assert.deepEqual(stale, [], `allow-listed but translated (remove from SAME_AS_ENGLISH): ${stale.join(', ')}`);
  });
});

describe('invitation e-mail templates', () => {
  const params = { rep: 'Pia Primary', link: 'https://support.example.test/invite/tok3n-XYZ', number: '123456789', site: 'https://support.example.test' };

  for (const lang of Language.options) {
    test(`${lang}: subject and both bodies contain what the invitee needs`, () => {
      const tpl = INVITATION_TEMPLATES[lang];
      assert.ok(tpl, `${lang}: no invitation template`);
      assert.ok(tpl.subject.trim(), `${lang}: empty subject`);
      const customer = tpl.customer(params);
      const rep = tpl.rep(params);
      for (const [who, text] of [['customer', customer], ['rep', rep]] as const) {
        assert.ok(text.includes(params.link), `${lang} ${who}: the link is missing`);
        assert.ok(text.includes(params.number), `${lang} ${who}: the session number is missing`);
        assert.ok(text.includes(params.rep), `${lang} ${who}: the inviting rep is missing`);
      }
      assert.ok(customer.includes(params.site), `${lang} customer: the site address is missing`);
      // The mail tells the customer which button to choose: it must be the UI's word for Join.
      const join = DICTS[lang]['nav.join']!;
      assert.ok(customer.includes(join), `${lang} customer: does not name the Join button as the UI does ("${join}")`);
      if (lang !== 'en') {
        assert.notEqual(tpl.subject, INVITATION_TEMPLATES.en.subject, `${lang}: subject is English`);
        assert.notEqual(customer, INVITATION_TEMPLATES.en.customer(params), `${lang}: customer body is English`);
        assert.notEqual(rep, INVITATION_TEMPLATES.en.rep(params), `${lang}: rep body is English`);
      }
    });
  }
});

// ------------------------------------------------------------ source scan

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Plain words between a tag's `>` and the next `<` or `{`; text inside {…} is never matched. */
const JSX_TEXT = /(?<![=-])>\s*([A-Za-z][A-Za-z ,.'!?-]{2,}?)\s*(?=[<{])/g;
/** Literal strings in attributes that people see or hear. */
const VISIBLE_ATTR = /\b(aria-label|title|placeholder|alt|label|hint)="([^"]*[A-Za-z][^"]*)"/g;

function tsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsxFiles(p);
    return e.isFile() && p.endsWith('.tsx') ? [p] : [];
  });
}

function hardCoded(source: string): { line: number; text: string }[] {
  const found: { line: number; text: string }[] = [];
  const lineOf = (i: number) => source.slice(0, i).split('\n').length;
  for (const m of source.matchAll(JSX_TEXT)) found.push({ line: lineOf(m.index + m[0].indexOf(m[1]!)), text: m[1]!.trim() });
  for (const m of source.matchAll(VISIBLE_ATTR)) found.push({ line: lineOf(m.index), text: `${m[1]}="${m[2]}"` });
  return found.sort((a, b) => a.line - b.line);
}

describe('source scan: visible text comes from the dictionary', () => {
  test('the scanner finds hard-coded text and ignores expressions', () => {
    const sample = [
      '<p>{t("home.heading")}</p>',
      '<button type="button">',
      '  Save changes',
      '</button>',
      '<em>Hello {name}</em>',
      '<input aria-label="Search" />',
      'const ok = (a: number) => a > 1 && <b>{a}</b>;',
    ].join('\n');
    assert.deepEqual(hardCoded(sample), [
      { line: 3, text: 'Save changes' },
      { line: 5, text: 'Hello' },
      { line: 6, text: 'aria-label="Search"' },
    ]);
  });

  test('apps/web/src/**/*.tsx has no hard-coded English in markup', () => {
    const files = tsxFiles(SRC);
    assert.ok(files.length > 10, `expected the UI sources under ${SRC}`);
    const hits = files.flatMap((f) =>
      hardCoded(readFileSync(f, 'utf8')).map((h) => `apps/web/src/${relative(SRC, f)}:${h.line}: ${h.text}`),
    );
    assert.deepEqual(hits, [], `hard-coded text; put it in i18n/en.ts and use t('…'):\n${hits.join('\n')}`);
  });
});
