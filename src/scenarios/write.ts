// Sample files as Nova keeps them: the four recorded keys, indented, floats as Python prints them
// (the float-preserving serializer, so rxtx_factor is 1.0), newline at the end.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJson } from '../notifier/json.js';

/** Re-indent compact JSON text (string-aware) with `indent` spaces; empty {} and [] stay inline. */
export function indentJson(compact: string, indent = 4): string {
  let out = '';
  let depth = 0;
  let inString = false;
  const newline = () => `\n${' '.repeat(depth * indent)}`;
  for (let i = 0; i < compact.length; i++) {
    const ch = compact[i];
    if (inString) {
      out += ch;
      if (ch === '\\') out += compact[++i];
      else if (ch === '"') inString = false;
      continue;
    }
    switch (ch) {
      case '"':
        inString = true;
        out += ch;
        break;
      case '{':
      case '[': {
        const close = ch === '{' ? '}' : ']';
        if (compact[i + 1] === close) {
          out += ch + close;
          i++;
        } else {
          depth++;
          out += ch + newline();
        }
        break;
      }
      case '}':
      case ']':
        depth--;
        out += newline() + ch;
        break;
      case ',':
        out += `,${newline()}`;
        break;
      case ':':
        out += ': ';
        break;
      default:
        out += ch;
    }
  }
  return out;
}

export function sampleText(notification: unknown): string {
  return `${indentJson(toJson(notification))}\n`;
}

export function writeSample(dir: string, file: string, notification: unknown): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${file}.json`);
  writeFileSync(path, sampleText(notification));
  return path;
}
