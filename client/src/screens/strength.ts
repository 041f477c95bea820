// The password strength estimator (zxcvbn-ts), loaded only with import() by the sign-up screens
// (password-strength.tsx), never on a first load. The server estimates again with zxcvbn (Python)
// and its larger English dictionaries (words, surnames), and has the last word: this meter only
// advises, so it brings the common passwords and first names (about 215 KB gzipped) and not the
// rest (another 600 KB). The lists are imported one by one from the packages' files because each
// package's index gathers all of its lists into one object, which no bundler can take apart.
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import adjacencyGraphs from "@zxcvbn-ts/language-common/dist/adjacencyGraphs.json.mjs";
import passwords from "@zxcvbn-ts/language-common/dist/passwords.json.mjs";
import firstnames from "@zxcvbn-ts/language-en/dist/firstnames.json.mjs";
import translations from "@zxcvbn-ts/language-en/dist/translations.mjs";

/** What the meter shows: zxcvbn's score (0-4; the server accepts 3 and up) and its advice. */
export type Strength = { score: 0 | 1 | 2 | 3 | 4; warning: string; suggestions: string[] };

const zxcvbn = new ZxcvbnFactory({
  dictionary: { "passwords-common": passwords, "firstnames-en": firstnames },
  graphs: adjacencyGraphs,
  translations,
  // As the server (backend/accounts/passwords.py): what follows the 72nd character only adds strength.
  maxLength: 72,
});

/** A text and its words of three letters or more, split as the server splits them. */
function words(text: string): string[] {
  return [text, ...text.split(/[\W_]+/).filter((part) => part.length >= 3)];
}

/** What a guesser who knows the account tries first: the email's words, and the name's (as the server). */
function contextWords(email: string, name: string): { email: string[]; name: string[] } {
  const [local = "", domain = ""] = email.split("@");
  return {
    email: [email, ...words(local), ...words(domain)].filter(Boolean),
    name: [...words(name), name.replace(/\W+/g, "")].filter(Boolean),
  };
}

// zxcvbn-ts says the same vague thing for every user input; the server says which, and so do we.
const BUILT_FROM = "which anyone guessing would try first.";

export function estimate(password: string, context: { email: string; name: string }): Strength {
  const known = contextWords(context.email, context.name);
  const result = zxcvbn.check(password, [...known.email, ...known.name, "rapport"]);
  const lower = (list: string[]) => new Set(list.map((word) => word.toLowerCase()));
  const [fromEmail, fromName] = [lower(known.email), lower(known.name)];
  const matched = result.sequence
    .filter((match) => match["dictionaryName"] === "userInputs")
    .map((match) => String(match["matchedWord"]));
  let warning = result.feedback.warning ?? "";
  if (matched.some((word) => fromEmail.has(word))) warning = `It is built from your email address, ${BUILT_FROM}`;
  else if (matched.some((word) => fromName.has(word))) warning = `It is built from your name, ${BUILT_FROM}`;
  else if (matched.length > 0) warning = `It is built from this site's name, ${BUILT_FROM}`;
  return { score: result.score, warning, suggestions: result.feedback.suggestions };
}
