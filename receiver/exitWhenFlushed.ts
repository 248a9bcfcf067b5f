/**
 * Exits once stdout and stderr have flushed: on Windows, pipe writes are asynchronous and
 * process.exit() would cut the last messages off. Standard input may still hold the event
 * loop open (a console cannot always be closed), hence an explicit exit rather than waiting.
 */
export function exitWhenFlushed(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
  setTimeout(() => process.exit(code), 2000).unref();
}
