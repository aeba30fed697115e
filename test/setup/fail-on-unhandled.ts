// Any unhandled rejection or uncaught exception during a test file fails that file:
// the runtime must never leave one behind (issue 4: "the test run fails if one occurs").
const problems: unknown[] = [];
const onRejection = (reason: unknown) => problems.push(reason);
const onException = (error: unknown) => problems.push(error);

beforeAll(() => {
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
});

afterAll(async () => {
  // Give pending microtasks and timers of the last test a moment to surface.
  await new Promise((resolve) => setTimeout(resolve, 20));
  process.off('unhandledRejection', onRejection);
  process.off('uncaughtException', onException);
  if (problems.length > 0) {
    const first = problems[0];
    throw new Error(
      `${problems.length} unhandled rejection(s)/uncaught exception(s) during this test file; first: ${first instanceof Error ? first.stack : String(first)}`,
    );
  }
});
