// Test hook: a system test sets FTK_TEST_PAUSE=<point> to freeze a command at a named point (and then
// kill it with SIGKILL there); without the variable this is a no-op.

/** Waits forever when FTK_TEST_PAUSE names `point`, after saying so on stderr; otherwise returns at once. */
export async function testPause(point: string): Promise<void> {
  if (process.env["FTK_TEST_PAUSE"] !== point) return;
  process.stderr.write(`ftk: test pause at '${point}'\n`);
  await new Promise<void>(() => {
    setInterval(() => {}, 1 << 30);
  });
}
