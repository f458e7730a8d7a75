// yaml.v3's scanner checks indentation only in block context: inside a flow
// collection (`[…]`, `{…}`) or a quoted scalar that spans lines, a line may
// start in any column, e.g.
//   permissions: [
//   read,
//   ]
// The `yaml` package (YAML 1.2) wants such lines indented past the enclosing
// block. Leading white space there carries no meaning (flow scalars fold it
// away), so indentFlowLines() indents those lines and nothing else; line
// numbers stay the same. file-yaml.ts retries with its output only when
// the file as written does not parse. It is a scan of quotes, brackets,
// comments and block scalars, not a YAML parser: a wrong guess can only turn
// one parse error into another.

/** The text with every continuation line of a multi-line flow collection or quoted scalar indented past where it opened. */
export function indentFlowLines(text: string): string {
  const lines = text.split('\n');
  let depth = 0; // open flow collections
  let quote: '"' | "'" | undefined;
  let openColumn = -1; // column of the outermost open bracket or quote
  let blockScalarIndent = -1; // while in a block scalar's content: the indentation of its header's line
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n] as string;
    const indent = line.length - line.trimStart().length;
    if (blockScalarIndent >= 0) {
      if (line.trim() === '' || indent > blockScalarIndent) continue;
      blockScalarIndent = -1;
    }
    if ((depth > 0 || quote !== undefined) && indent <= openColumn && !/^(---|\.\.\.)(\s|$)/.test(line)) {
      line = ' '.repeat(openColumn + 1 - indent) + line;
      lines[n] = line;
    }
    let tokenStart = true; // at the start of a token: after indentation, white space or a flow indicator
    for (let i = 0; i < line.length; i++) {
      const c = line[i] as string;
      if (quote !== undefined) {
        if (quote === '"' && c === '\\') i++;
        else if (c === quote && quote === "'" && line[i + 1] === "'") i++;
        else if (c === quote) quote = undefined;
        continue;
      }
      if (c === ' ' || c === '\t') {
        tokenStart = true;
        continue;
      }
      if (c === '#' && tokenStart) break;
      const opening = depth === 0 && quote === undefined;
      if ((c === '"' || c === "'") && tokenStart) {
        quote = c;
        if (opening) openColumn = i;
      } else if ((c === '[' || c === '{') && (tokenStart || depth > 0)) {
        if (opening) openColumn = i;
        depth++;
      } else if ((c === ']' || c === '}') && depth > 0) {
        depth--;
      } else if ((c === '|' || c === '>') && tokenStart && depth === 0) {
        blockScalarIndent = indent;
        break;
      }
      tokenStart = depth > 0 && (c === ',' || c === '[' || c === '{' || c === ':');
    }
  }
  return lines.join('\n');
}
