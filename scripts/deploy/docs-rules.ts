/** The variables a document does not mention as `NAME` (in backticks), in the order given. */
export function undocumentedVariables(doc: string, variables: Iterable<string>): string[] {
  return [...variables].filter((name) => !doc.includes(`\`${name}\``));
}
