// Preloaded by check.test.ts: when the process exits, prints the npm packages it loaded, one a
// line, after what the process itself printed.
process.on("exit", () => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    if (match) packages.add(match[1]);
  }
  process.stdout.write(`\n${[...packages].sort().join("\n")}\n`);
});
