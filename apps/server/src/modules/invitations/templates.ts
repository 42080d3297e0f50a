import type { Language } from '@rs/protocol';

interface Template {
  subject: string;
  customer: (p: { rep: string; link: string; number: string; site: string }) => string;
  rep: (p: { rep: string; link: string; number: string; site: string }) => string;
}

/** Invitation mail in each UI language; the rep's language chooses. */
export const INVITATION_TEMPLATES: Record<Language, Template> = {
  en: {
    subject: 'Invitation to a remote support session',
    customer: ({ rep, link, number, site }) =>
      `${rep} invites you to a remote support session.\n\nOpen this link to join:\n${link}\n\nOr open ${site}, choose Join and type the session number ${number}.`,
    rep: ({ rep, link, number }) =>
      `${rep} asks you to assist in support session ${number}.\n\nOpen this link and sign in to join as an assistant:\n${link}`,
  },
  sv: {
    subject: 'Inbjudan till en fjärrsupportsession',
    customer: ({ rep, link, number, site }) =>
      `${rep} bjuder in dig till en fjärrsupportsession.\n\nÖppna den här länken för att delta:\n${link}\n\nEller öppna ${site}, välj Delta och skriv in sessionsnumret ${number}.`,
    rep: ({ rep, link, number }) =>
      `${rep} ber dig assistera i supportsession ${number}.\n\nÖppna länken och logga in för att delta som assistent:\n${link}`,
  },
  nb: {
    subject: 'Invitasjon til en Remote Support-økt',
    customer: ({ rep, link, number, site }) =>
      `${rep} inviterer deg til en Remote Support-økt.\n\nÅpne denne koblingen for å bli med:\n${link}\n\nEller åpne ${site}, velg Bli med og skriv inn øktnummeret ${number}.`,
    rep: ({ rep, link, number }) =>
      `${rep} ber deg assistere i støtteøkt ${number}.\n\nÅpne koblingen og logg på for å bli med som assistent:\n${link}`,
  },
  cs: {
    subject: 'Pozvánka na relaci vzdálené podpory',
    customer: ({ rep, link, number, site }) =>
      `${rep} vás zve na relaci vzdálené podpory.\n\nPřipojte se otevřením tohoto odkazu:\n${link}\n\nNebo otevřete ${site}, zvolte Připojit se a zadejte číslo relace ${number}.`,
    rep: ({ rep, link, number }) =>
      `${rep} vás žádá o asistenci v relaci podpory ${number}.\n\nOtevřete odkaz a přihlaste se, abyste se připojili jako asistent:\n${link}`,
  },
  fr: {
    subject: 'Invitation à une session d’assistance à distance',
    customer: ({ rep, link, number, site }) =>
      `${rep} vous invite à une session d’assistance à distance.\n\nOuvrez ce lien pour rejoindre la session :\n${link}\n\nOu ouvrez ${site}, choisissez Rejoindre et saisissez le numéro de session ${number}.`,
    rep: ({ rep, link, number }) =>
      `${rep} vous demande de l’assister dans la session d’assistance ${number}.\n\nOuvrez ce lien et connectez-vous pour rejoindre la session en tant qu’assistant :\n${link}`,
  },
  de: {
    subject: 'Einladung zu einer Remote Support-Sitzung',
    customer: ({ rep, link, number, site }) =>
      `${rep} lädt Sie zu einer Remote Support-Sitzung ein.\n\nÖffnen Sie diesen Link, um beizutreten:\n${link}\n\nOder öffnen Sie ${site}, wählen Sie Beitreten und geben Sie die Sitzungsnummer ${number} ein.`,
    rep: ({ rep, link, number }) =>
      `${rep} bittet Sie um Unterstützung in der Support-Sitzung ${number}.\n\nÖffnen Sie den Link und melden Sie sich an, um als Assistent beizutreten:\n${link}`,
  },
};
