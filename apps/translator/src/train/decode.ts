/** @file Translation moved to decode/ (greedy and beam search); this path stays for the code that imports it. */
export { type TranslateOptions, type Translation, translate } from '../decode/translate.js';
