import { describe, expect, it } from 'vitest';
import { characterCorpus } from './character-corpus.js';

describe('characterCorpus', () => {
  const corpus = characterCorpus();

  it('is at least 20k characters by default and exactly the requested length otherwise', () => {
    expect(corpus.text.length).toBeGreaterThanOrEqual(20_000);
    for (const length of [1, 137, 5000]) expect(characterCorpus({ seed: 3, length }).text.length).toBe(length);
  });

  it('round-trips through encode and decode with codes indexing the vocabulary', () => {
    const codes = corpus.encode(corpus.text);
    expect(codes.length).toBe(corpus.text.length);
    expect(corpus.decode(codes)).toBe(corpus.text);
    expect(corpus.vocabulary[codes[0]]).toBe(corpus.text[0]);
    expect(new Set(corpus.vocabulary).size).toBe(corpus.vocabulary.length);
  });

  it('has a fixed vocabulary covering every character of any seed', () => {
    const other = characterCorpus({ seed: 99, length: 8000 });
    expect(other.vocabulary).toEqual(corpus.vocabulary);
    for (const character of new Set(other.text + corpus.text)) expect(corpus.vocabulary).toContain(character);
  });

  it('looks like English text', () => {
    const text = corpus.text;
    const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
    // English averages about 4.5–5 letters per word; "the" is the most frequent word.
    const averageLength = words.reduce((sum, word) => sum + word.length, 0) / words.length;
    expect(averageLength).toBeGreaterThan(3);
    expect(averageLength).toBeLessThan(6.5);
    const frequency = new Map<string, number>();
    for (const word of words) frequency.set(word, (frequency.get(word) ?? 0) + 1);
    const [mostFrequent] = [...frequency.entries()].sort((left, right) => right[1] - left[1])[0];
    expect(mostFrequent).toBe('the');
    // Sentences start with a capital; "a" is never followed by a vowel-initial word.
    for (const match of text.matchAll(/[.?] ([^ "])/g)) expect(match[1]).toMatch(/[A-Z]/);
    expect(text).not.toMatch(/\ba [aeiou]/i);
    expect(text).toMatch(/\n\n/);
    // Spaces make up roughly a sixth of English text.
    const spaces = (text.match(/ /g) ?? []).length / text.length;
    expect(spaces).toBeGreaterThan(0.1);
    expect(spaces).toBeLessThan(0.25);
  });

  it('is deterministic per seed', () => {
    expect(characterCorpus({ seed: 5, length: 3000 }).text).toBe(characterCorpus({ seed: 5, length: 3000 }).text);
    expect(characterCorpus({ seed: 5, length: 3000 }).text).not.toBe(characterCorpus({ seed: 6, length: 3000 }).text);
  });

  it('names the offending character or code', () => {
    expect(() => corpus.encode('the Zebra')).toThrow(
      "characterCorpus.encode: character 'Z' (U+005A) at index 4 is not in the vocabulary",
    );
    expect(() => corpus.decode([0, corpus.vocabulary.length])).toThrow(
      `characterCorpus.decode: code ${corpus.vocabulary.length} at index 1 is outside [0, ${corpus.vocabulary.length})`,
    );
    expect(() => characterCorpus({ length: 0 })).toThrow('characterCorpus: length must be an integer ≥ 1, got 0');
  });
});
