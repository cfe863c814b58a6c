import { createRandom, type RandomSource } from '../random.js';
import { describeValue, requireInteger, requireSeed, requireOptions } from '../validation.js';

/** Options of {@link characterCorpus}. */
export interface CharacterCorpusOptions {
  /** Seed of the random stream. Default 0. */
  seed?: number;
  /** Exact number of characters of the text. Default 32768. */
  length?: number;
}

/** A generated text with its character vocabulary and codecs. */
export interface CharacterCorpus {
  /** The generated text, exactly `length` characters. */
  text: string;
  /** Every character the grammar can produce, sorted by code point; code `k` is `vocabulary[k]`. */
  vocabulary: string[];
  /** Maps text to vocabulary codes; throws on a character outside the vocabulary. */
  encode(text: string): Int32Array;
  /** Maps vocabulary codes back to text; throws on a code outside `[0, vocabulary.length)`. */
  decode(codes: ArrayLike<number>): string;
}

// A small village-story grammar, written for this package. Word lists are kept short so a
// character-level model can learn spelling, agreement of "a"/"an", punctuation and
// capitalisation from a few tens of kilobytes.
const PEOPLE = [
  'miller',
  'baker',
  'shepherd',
  'weaver',
  'child',
  'farmer',
  'sailor',
  'teacher',
  'traveller',
  'girl',
  'boy',
  'widow',
  'fisherman',
  'innkeeper',
];
const ANIMALS = ['dog', 'cat', 'fox', 'owl', 'goat', 'horse', 'goose', 'sparrow', 'otter'];
const THINGS = [
  'lantern',
  'kettle',
  'basket',
  'letter',
  'wagon',
  'boat',
  'bell',
  'candle',
  'loaf',
  'rope',
  'map',
  'key',
  'coat',
  'apple',
  'stone',
  'drum',
  'umbrella',
  'anchor',
];
const PLACES = [
  'river',
  'bridge',
  'mill',
  'market',
  'orchard',
  'hill',
  'harbour',
  'forest',
  'chapel',
  'field',
  'road',
  'well',
  'garden',
  'village',
  'meadow',
  'inn',
];
const CREATURE_ADJECTIVES = [
  'old',
  'young',
  'quiet',
  'small',
  'tired',
  'clever',
  'brave',
  'grey',
  'tall',
  'gentle',
  'hungry',
  'patient',
  'careful',
  'eager',
];
const THING_ADJECTIVES = [
  'heavy',
  'broken',
  'wooden',
  'bright',
  'warm',
  'empty',
  'copper',
  'old',
  'little',
  'iron',
  'red',
];
const PLACE_ADJECTIVES = ['cold', 'busy', 'silent', 'green', 'distant', 'narrow', 'windy', 'empty', 'old'];
const TRANSITIVE = [
  'carried',
  'found',
  'mended',
  'watched',
  'painted',
  'sold',
  'lost',
  'opened',
  'lifted',
  'counted',
  'dropped',
  'hid',
  'cleaned',
  'borrowed',
];
const INTRANSITIVE = ['slept', 'waited', 'sang', 'laughed', 'rested', 'listened', 'worked', 'whistled', 'shivered'];
const MOTION = ['walked', 'ran', 'hurried', 'wandered', 'climbed', 'drifted', 'rode'];
const MOTION_PREPOSITIONS = ['to', 'toward', 'across', 'along', 'past', 'into', 'around'];
const PLACE_PREPOSITIONS = ['near', 'beside', 'behind', 'under', 'inside', 'above'];
const ADVERBS = ['slowly', 'quietly', 'happily', 'again', 'carefully', 'early', 'alone'];
const TIMES = [
  'in the morning',
  'at dawn',
  'after supper',
  'before the rain',
  'on market day',
  'every evening',
  'late at night',
  'one winter',
  'that summer',
  'at noon',
];
const CONJUNCTIONS = ['and', 'but', 'so', 'while', 'because'];
const SPEECH_VERBS = ['said', 'asked', 'whispered', 'called'];
const QUESTION_WORDS = ['who', 'where', 'why'];
const PUNCTUATION = [' ', '\n', '.', ',', '?', '"'];

const ALL_WORDS = [
  PEOPLE,
  ANIMALS,
  THINGS,
  PLACES,
  CREATURE_ADJECTIVES,
  THING_ADJECTIVES,
  PLACE_ADJECTIVES,
  TRANSITIVE,
  INTRANSITIVE,
  MOTION,
  MOTION_PREPOSITIONS,
  PLACE_PREPOSITIONS,
  ADVERBS,
  TIMES,
  CONJUNCTIONS,
  SPEECH_VERBS,
  QUESTION_WORDS,
  ['the', 'a', 'an', 'was', 'did', 'go', 'then', 'his', 'her', 'their'],
].flat();

/** The fixed vocabulary: all letters used by the grammar, their capitals at sentence starts, punctuation. */
const VOCABULARY: string[] = [
  ...new Set([...ALL_WORDS.join(''), ...ALL_WORDS.map((word) => word[0].toUpperCase()), ...PUNCTUATION]),
].sort((left, right) => left.charCodeAt(0) - right.charCodeAt(0));

class Writer {
  constructor(private readonly random: RandomSource) {}

  pick(words: readonly string[]): string {
    return words[this.random.integer(words.length)];
  }

  chance(probability: number): boolean {
    return this.random.uniform() < probability;
  }

  /** A noun phrase: determiner, optional adjective, noun; "a" becomes "an" before a vowel. */
  nounPhrase(nouns: readonly string[], adjectives: readonly string[], possessive = false): string {
    const words: string[] = [];
    if (this.chance(0.45)) words.push(this.pick(adjectives));
    words.push(this.pick(nouns));
    const determiner =
      possessive && this.chance(0.3) ? this.pick(['his', 'her', 'their']) : this.chance(0.7) ? 'the' : 'a';
    const article = determiner === 'a' && /^[aeiou]/.test(words[0]) ? 'an' : determiner;
    return [article, ...words].join(' ');
  }

  creature(): string {
    return this.nounPhrase(this.chance(0.65) ? PEOPLE : ANIMALS, CREATURE_ADJECTIVES);
  }

  thing(): string {
    return this.nounPhrase(THINGS, THING_ADJECTIVES, true);
  }

  place(): string {
    return this.nounPhrase(PLACES, PLACE_ADJECTIVES);
  }

  clause(): string {
    const subject = this.creature();
    switch (this.random.integer(5)) {
      case 0:
        return `${subject} ${this.pick(TRANSITIVE)} ${this.thing()}${this.chance(0.4) ? ` ${this.pick(PLACE_PREPOSITIONS)} ${this.place()}` : ''}`;
      case 1:
        return `${subject} ${this.pick(INTRANSITIVE)}${this.chance(0.5) ? ` ${this.pick(ADVERBS)}` : ''}${this.chance(0.5) ? ` ${this.pick(PLACE_PREPOSITIONS)} ${this.place()}` : ''}`;
      case 2:
        return `${subject} ${this.pick(MOTION)} ${this.pick(MOTION_PREPOSITIONS)} ${this.place()}`;
      case 3:
        return `${this.thing()} was ${this.pick(THING_ADJECTIVES)}`;
      default:
        return `${subject} was ${this.pick(CREATURE_ADJECTIVES)}`;
    }
  }

  /** One sentence, capitalised and punctuated. */
  sentence(): string {
    const kind = this.random.uniform();
    if (kind < 0.1) {
      const question = this.pick(QUESTION_WORDS);
      const body =
        question === 'who' ? `who ${this.pick(TRANSITIVE)} ${this.thing()}` : `${question} did ${this.creature()} go`;
      return `${capitalize(body)}?`;
    }
    if (kind < 0.22) {
      const quoted = capitalize(this.clause());
      return `"${quoted}," ${this.pick(SPEECH_VERBS)} ${this.creature()}.`;
    }
    let body = this.clause();
    if (this.chance(0.35)) body = `${body}, ${this.pick(CONJUNCTIONS)} ${this.clause()}`;
    if (this.chance(0.25)) body = `${this.pick(TIMES)}, ${body}`;
    return `${capitalize(body)}.`;
  }

  paragraph(): string {
    const sentences = 3 + this.random.integer(5);
    return Array.from({ length: sentences }, () => this.sentence()).join(' ');
  }
}

function capitalize(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}

/**
 * Generates an English-like character corpus for character-level language models.
 *
 * The text comes from a small stochastic grammar of village stories (noun phrases with
 * "a"/"an" agreement, transitive, intransitive and motion clauses, conjunctions, time
 * phrases, questions and quoted speech) written for this package: it has real structure at
 * the level of spelling, words and punctuation, yet is free of licensing questions and
 * deterministic for a given seed. Paragraphs of 3–7 sentences are separated by a blank line,
 * and the text is cut to exactly `length` characters. `vocabulary` is fixed by the grammar
 * (the same for every seed and length), so codes are comparable across corpora.
 *
 * @example
 * const corpus = characterCorpus({ seed: 1 });
 * const codes = corpus.encode(corpus.text.slice(0, 20)); // Int32Array of 20 codes
 * corpus.decode(codes) === corpus.text.slice(0, 20); // true
 *
 * Source: a probabilistic context-free grammar in the sense of N. Chomsky, "Three models for
 * the description of language" (1956), with hand-written rules.
 */
export function characterCorpus(options: CharacterCorpusOptions = {}): CharacterCorpus {
  if (typeof options !== 'object' || options === null) {
    throw new Error(`characterCorpus: options must be an object, got ${describeValue(options)}`);
  }
  requireOptions('characterCorpus', options, ['seed', 'length']);
  const seedValue = requireSeed('characterCorpus', 'seed', options.seed ?? 0);
  const length = requireInteger('characterCorpus', 'length', options.length ?? 32_768);
  const writer = new Writer(createRandom(seedValue));
  const paragraphs: string[] = [];
  let total = 0;
  while (total < length) {
    const paragraph = writer.paragraph();
    total += (paragraphs.length > 0 ? 2 : 0) + paragraph.length; // 2 for the '\n\n' separator
    paragraphs.push(paragraph);
  }
  const text = paragraphs.join('\n\n').slice(0, length);
  const codeOf = new Map(VOCABULARY.map((character, code) => [character, code]));
  return {
    text,
    vocabulary: [...VOCABULARY],
    encode(input: string): Int32Array {
      const codes = new Int32Array(input.length);
      for (let index = 0; index < input.length; index += 1) {
        const code = codeOf.get(input[index]);
        if (code === undefined) {
          const hex = input.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0');
          throw new Error(
            `characterCorpus.encode: character '${input[index]}' (U+${hex}) at index ${index} is not in the vocabulary`,
          );
        }
        codes[index] = code;
      }
      return codes;
    },
    decode(codes: ArrayLike<number>): string {
      let output = '';
      for (let index = 0; index < codes.length; index += 1) {
        const code = codes[index];
        if (!Number.isInteger(code) || code < 0 || code >= VOCABULARY.length) {
          throw new Error(
            `characterCorpus.decode: code ${describeValue(code)} at index ${index} is outside [0, ${VOCABULARY.length})`,
          );
        }
        output += VOCABULARY[code];
      }
      return output;
    },
  };
}
