// The zxcvbn-ts lists that strength.ts imports file by file: the packages type only their index
// modules. Each list module's default export is its words, most common first; the graphs are
// keyboard layouts (each key's neighbours, null where there is none).
declare module "@zxcvbn-ts/language-common/dist/passwords.json.mjs" {
  const words: string[];
  export default words;
}
declare module "@zxcvbn-ts/language-en/dist/firstnames.json.mjs" {
  const words: string[];
  export default words;
}
declare module "@zxcvbn-ts/language-common/dist/adjacencyGraphs.json.mjs" {
  const graphs: Record<string, Record<string, (string | null)[]>>;
  export default graphs;
}
declare module "@zxcvbn-ts/language-en/dist/translations.mjs" {
  const translations: import("@zxcvbn-ts/core").TranslationKeys;
  export default translations;
}
