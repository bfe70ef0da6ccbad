/**
 * @file The words of the built-in corpus: English with their French-like translations, genders, plurals,
 * agreement forms and conjugations. Every French noun, pre-nominal adjective and ordinary verb starts with a
 * consonant, so elision happens only where the grammar puts a vowel after `ne`, `de`, `que` or `je`.
 */

export type Gender = 'm' | 'f';

export interface Noun {
  en: string;
  enPlural: string;
  fr: string;
  frPlural: string;
  gender: Gender;
  /** Can see, sleep, sing…: the subject of a verb. */
  animate: boolean;
  /** Can follow `in`, `near`, `goes to`…. */
  place: boolean;
}

/** French adjective forms indexed masculine singular, feminine singular, masculine plural, feminine plural. */
export type AgreementForms = readonly [ms: string, fs: string, mp: string, fp: string];

export interface Adjective {
  en: string;
  fr: AgreementForms;
  /** French puts a few adjectives before the noun (le petit chat); most go after (la voiture rouge). */
  position: 'before' | 'after';
}

/** Present tense by French subject: je (1sg), il/elle and singular nouns (3sg), nous (1pl), plurals (3pl). */
export interface Conjugation {
  '1sg': string;
  '3sg': string;
  '1pl': string;
  '3pl': string;
}

export interface Verb {
  /** The base form, several words for a phrasal verb ("look for"). */
  en: string;
  en3sg: string;
  fr: Conjugation;
  transitive: boolean;
}

export interface Determiner {
  /** English singular and plural; null where the determiner has no such form ("a" has no plural). */
  en: { singular: string | null; plural: string | null };
  fr: { m: string; f: string; plural: string };
}

export interface Preposition {
  en: string;
  /** Ends in `de` or `à` where French contracts with the article: près du jardin, à côté des maisons. */
  fr: string;
}

function noun(
  en: string,
  fr: string,
  gender: Gender,
  kind: 'animate' | 'place' | 'thing',
  plurals: { en?: string; fr?: string } = {},
): Noun {
  return {
    en,
    enPlural: plurals.en ?? `${en}s`,
    fr,
    frPlural: plurals.fr ?? `${fr}s`,
    gender,
    animate: kind === 'animate',
    place: kind === 'place',
  };
}

export const nouns: readonly Noun[] = [
  noun('cat', 'chat', 'm', 'animate'),
  noun('dog', 'chien', 'm', 'animate'),
  noun('sparrow', 'moineau', 'm', 'animate', { fr: 'moineaux' }),
  noun('horse', 'cheval', 'm', 'animate', { fr: 'chevaux' }),
  noun('mouse', 'souris', 'f', 'animate', { en: 'mice', fr: 'souris' }),
  noun('cow', 'vache', 'f', 'animate'),
  noun('wolf', 'loup', 'm', 'animate', { en: 'wolves' }),
  noun('boy', 'garçon', 'm', 'animate'),
  noun('girl', 'fille', 'f', 'animate'),
  noun('woman', 'femme', 'f', 'animate', { en: 'women' }),
  noun('doctor', 'médecin', 'm', 'animate'),
  noun('baker', 'boulanger', 'm', 'animate'),
  noun('sister', 'sœur', 'f', 'animate'),
  noun('brother', 'frère', 'm', 'animate'),
  noun('king', 'roi', 'm', 'animate'),
  noun('queen', 'reine', 'f', 'animate'),
  noun('grandmother', 'grand-mère', 'f', 'animate', { fr: 'grands-mères' }),
  noun('house', 'maison', 'f', 'place'),
  noun('garden', 'jardin', 'm', 'place'),
  noun('street', 'rue', 'f', 'place'),
  noun('city', 'ville', 'f', 'place', { en: 'cities' }),
  noun('river', 'rivière', 'f', 'place'),
  noun('bridge', 'pont', 'm', 'place'),
  noun('kitchen', 'cuisine', 'f', 'place'),
  noun('park', 'parc', 'm', 'place'),
  noun('forest', 'forêt', 'f', 'place'),
  noun('beach', 'plage', 'f', 'place', { en: 'beaches' }),
  noun('shop', 'magasin', 'm', 'place'),
  noun('table', 'table', 'f', 'place'),
  noun('bed', 'lit', 'm', 'place'),
  noun('car', 'voiture', 'f', 'place'),
  noun('boat', 'bateau', 'm', 'place', { fr: 'bateaux' }),
  noun('book', 'livre', 'm', 'thing'),
  noun('chair', 'chaise', 'f', 'thing'),
  noun('door', 'porte', 'f', 'thing'),
  noun('window', 'fenêtre', 'f', 'thing'),
  noun('box', 'boîte', 'f', 'thing', { en: 'boxes' }),
  noun('letter', 'lettre', 'f', 'thing'),
  noun('cake', 'gâteau', 'm', 'thing', { fr: 'gâteaux' }),
  noun('apple', 'pomme', 'f', 'thing'),
  noun('flower', 'fleur', 'f', 'thing'),
  noun('ball', 'ballon', 'm', 'thing'),
  noun('key', 'clé', 'f', 'thing'),
  noun('bag', 'sac', 'm', 'thing'),
  noun('hat', 'chapeau', 'm', 'thing', { fr: 'chapeaux' }),
  noun('newspaper', 'journal', 'm', 'thing', { fr: 'journaux' }),
  noun('knife', 'couteau', 'm', 'thing', { en: 'knives', fr: 'couteaux' }),
  noun('cup', 'tasse', 'f', 'thing'),
];

/** Regular French agreement: +e for the feminine (unless it already ends in e), +s for plurals (unless s/x). */
function adjective(
  en: string,
  ms: string,
  position: 'before' | 'after',
  irregular?: AgreementForms,
): Adjective {
  if (irregular) return { en, fr: irregular, position };
  const fs = ms.endsWith('e') ? ms : `${ms}e`;
  const mp = /[sx]$/.test(ms) ? ms : `${ms}s`;
  return { en, fr: [ms, fs, mp, `${fs}s`], position };
}

export const adjectives: readonly Adjective[] = [
  adjective('small', 'petit', 'before'),
  adjective('big', 'grand', 'before'),
  adjective('young', 'jeune', 'before'),
  adjective('pretty', 'joli', 'before'),
  adjective('old', 'vieux', 'before', ['vieux', 'vieille', 'vieux', 'vieilles']),
  adjective('good', 'bon', 'before', ['bon', 'bonne', 'bons', 'bonnes']),
  adjective('beautiful', 'beau', 'before', ['beau', 'belle', 'beaux', 'belles']),
  adjective('new', 'nouveau', 'before', ['nouveau', 'nouvelle', 'nouveaux', 'nouvelles']),
  adjective('red', 'rouge', 'after'),
  adjective('blue', 'bleu', 'after'),
  adjective('green', 'vert', 'after'),
  adjective('black', 'noir', 'after'),
  adjective('white', 'blanc', 'after', ['blanc', 'blanche', 'blancs', 'blanches']),
  adjective('grey', 'gris', 'after'),
  adjective('happy', 'heureux', 'after', ['heureux', 'heureuse', 'heureux', 'heureuses']),
  adjective('sad', 'triste', 'after'),
  adjective('tired', 'fatigué', 'after'),
  adjective('fast', 'rapide', 'after'),
  adjective('slow', 'lent', 'after'),
  adjective('heavy', 'lourd', 'after'),
  adjective('cold', 'froid', 'after'),
  adjective('famous', 'célèbre', 'after'),
];

/** A regular -er verb: je/il parle, nous parlons, ils parlent (manger keeps its e: mangeons). */
function erVerb(en: string, en3sg: string, stem: string, transitive: boolean): Verb {
  const nous = stem.endsWith('g') ? `${stem}eons` : `${stem}ons`;
  return {
    en,
    en3sg,
    fr: { '1sg': `${stem}e`, '3sg': `${stem}e`, '1pl': nous, '3pl': `${stem}ent` },
    transitive,
  };
}

function verb(en: string, en3sg: string, forms: readonly string[], transitive: boolean): Verb {
  const [je, il, nous, ils] = forms;
  return { en, en3sg, fr: { '1sg': je, '3sg': il, '1pl': nous, '3pl': ils }, transitive };
}

export const verbs: readonly Verb[] = [
  verb('see', 'sees', ['vois', 'voit', 'voyons', 'voient'], true),
  erVerb('eat', 'eats', 'mang', true),
  erVerb('find', 'finds', 'trouv', true),
  erVerb('carry', 'carries', 'port', true),
  erVerb('watch', 'watches', 'regard', true),
  erVerb('look for', 'looks for', 'cherch', true),
  erVerb('wash', 'washes', 'lav', true),
  erVerb('draw', 'draws', 'dessin', true),
  verb('follow', 'follows', ['suis', 'suit', 'suivons', 'suivent'], true),
  verb('take', 'takes', ['prends', 'prend', 'prenons', 'prennent'], true),
  verb('want', 'wants', ['veux', 'veut', 'voulons', 'veulent'], true),
  verb('sleep', 'sleeps', ['dors', 'dort', 'dormons', 'dorment'], false),
  verb('run', 'runs', ['cours', 'court', 'courons', 'courent'], false),
  verb('laugh', 'laughs', ['ris', 'rit', 'rions', 'rient'], false),
  erVerb('sing', 'sings', 'chant', false),
  erVerb('dance', 'dances', 'dans', false),
  erVerb('work', 'works', 'travaill', false),
  erVerb('swim', 'swims', 'nag', false),
  erVerb('walk', 'walks', 'march', false),
  erVerb('cry', 'cries', 'pleur', false),
  erVerb('talk', 'talks', 'parl', false),
];

/** "be": I am, he is, we are / je suis, il est, nous sommes, ils sont. */
export const copula = {
  en: { '1sg': 'am', '3sg': 'is', '1pl': 'are', '3pl': 'are' },
  fr: { '1sg': 'suis', '3sg': 'est', '1pl': 'sommes', '3pl': 'sont' },
} as const;

/** "go" (the grammar adds "to" + a place): aller (+ à, where à + le = au, à + les = aux). */
export const motionVerb: Verb = verb('go', 'goes', ['vais', 'va', 'allons', 'vont'], false);

export const determiners: readonly Determiner[] = [
  { en: { singular: 'the', plural: 'the' }, fr: { m: 'le', f: 'la', plural: 'les' } },
  { en: { singular: 'a', plural: null }, fr: { m: 'un', f: 'une', plural: 'des' } },
  { en: { singular: 'this', plural: 'these' }, fr: { m: 'ce', f: 'cette', plural: 'ces' } },
  { en: { singular: 'my', plural: 'my' }, fr: { m: 'mon', f: 'ma', plural: 'mes' } },
  { en: { singular: 'his', plural: 'his' }, fr: { m: 'son', f: 'sa', plural: 'ses' } },
  { en: { singular: 'her', plural: 'her' }, fr: { m: 'son', f: 'sa', plural: 'ses' } },
  { en: { singular: null, plural: 'two' }, fr: { m: 'deux', f: 'deux', plural: 'deux' } },
  { en: { singular: null, plural: 'three' }, fr: { m: 'trois', f: 'trois', plural: 'trois' } },
];

export const prepositions: readonly Preposition[] = [
  { en: 'in', fr: 'dans' },
  { en: 'on', fr: 'sur' },
  { en: 'under', fr: 'sous' },
  { en: 'behind', fr: 'derrière' },
  { en: 'with', fr: 'avec' },
  { en: 'near', fr: 'près de' },
  { en: 'next to', fr: 'à côté de' },
  { en: 'in front of', fr: 'devant' },
];

/** Subject pronouns: no "you" (tu or vous?) and no "they" (ils or elles?), so each sentence has one translation. */
export const pronouns = {
  i: { en: 'i', fr: 'je', person: '1sg', gender: 'm' },
  he: { en: 'he', fr: 'il', person: '3sg', gender: 'm' },
  she: { en: 'she', fr: 'elle', person: '3sg', gender: 'f' },
  we: { en: 'we', fr: 'nous', person: '1pl', gender: 'm' },
} as const;

export type PronounName = keyof typeof pronouns;
