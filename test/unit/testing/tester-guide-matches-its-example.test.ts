import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

/**
 * docs/testing-with-passage.md shows a tester's example; the end-to-end suite runs the same
 * code as test/e2e/tester-guide-example.test.ts. They must not drift apart: the block after
 * the guide's marker is the file, character for character.
 */
const ROOT = new URL('../../../', import.meta.url);
const EXAMPLE = 'test/e2e/tester-guide-example.test.ts';
const MARKER = `<!-- example: ${EXAMPLE} -->`;

/** The fenced block that follows the marker, without its fences. */
const blockAfterMarker = (guide: string): string => {
  const at = guide.indexOf(MARKER);
  if (at < 0) throw new Error(`the guide has no ${MARKER}`);
  const lines = guide.slice(at + MARKER.length).split('\n');
  const open = lines.findIndex((line) => line.trim() !== '');
  if (lines[open] !== '```ts') throw new Error(`the marker is not followed by a ts block`);
  const close = lines.findIndex((line, i) => i > open && line === '```');
  if (close < 0) throw new Error('the example block is not closed');
  return `${lines.slice(open + 1, close).join('\n')}\n`;
};

describe("the testing guide's example", () => {
  it('is exactly the test file the end-to-end suite runs', async () => {
    const guide = await readFile(new URL('docs/testing-with-passage.md', ROOT), 'utf8');
    const file = await readFile(new URL(EXAMPLE, ROOT), 'utf8');
    expect(blockAfterMarker(guide)).toBe(file);
  });

  it('is a test the suite runs whole: in test/e2e, nothing skipped or singled out', async () => {
    const file = await readFile(new URL(EXAMPLE, ROOT), 'utf8');
    expect(EXAMPLE).toMatch(/^test\/e2e\/.+\.test\.ts$/);
    expect(file).not.toMatch(/\b(it|describe|test)\.(skip|only|todo)\b|\bskipIf\b|\bxit\b/);
    expect(file).toMatch(/\bit\(/);
    expect(file).toContain("from 'passage/testing'");
  });

  it('catches a changed character (the comparison is not vacuous)', async () => {
    const guide = await readFile(new URL('docs/testing-with-passage.md', ROOT), 'utf8');
    const file = await readFile(new URL(EXAMPLE, ROOT), 'utf8');
    const altered = guide.replace("signInPaths('transitions')", "signInPaths('shortest')");
    expect(altered).not.toBe(guide);
    expect(blockAfterMarker(altered)).not.toBe(file);
  });
});
