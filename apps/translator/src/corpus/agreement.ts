/** @file What a subject makes its verb and adjectives agree with. */
import { type AgreementForms, pronouns } from './lexicon.js';
import type { Agreement, Subject } from './syntax.js';

/** The person, number and gender of a subject: coordinated nouns are plural, and feminine only if all are. */
export function agreementOf(subject: Subject): Agreement {
  switch (subject.kind) {
    case 'pronoun': {
      const { person, gender } = pronouns[subject.name];
      return { person, gender, plural: person === '1pl' };
    }
    case 'noun':
      return {
        person: subject.plural ? '3pl' : '3sg',
        gender: subject.noun.gender,
        plural: subject.plural,
      };
    case 'and': {
      const feminine = subject.parts.every((part) => part.noun.gender === 'f');
      return { person: '3pl', gender: feminine ? 'f' : 'm', plural: true };
    }
  }
}

/** The adjective form that agrees in gender and number: (petit, petite, petits, petites). */
export function agreeingForm(forms: AgreementForms, agreement: Pick<Agreement, 'gender' | 'plural'>): string {
  return forms[(agreement.plural ? 2 : 0) + (agreement.gender === 'f' ? 1 : 0)];
}
