// ResultsStore: run results in SQLite (DESIGN §7, §8). Schema documented in Results/README.md.
//
// - `SQLiteResultsStore` is the `ResultsSink` (SimSupport) that writes one run into a file:
//   prepared inserts in batched transactions, the run registered as `incomplete` first and
//   marked `complete` or `failed` last, so any interruption leaves a consistent file that
//   says the run did not finish.
// - `ResultsDatabase` reads a file: run registry, rows, the content digest that determinism
//   checks compare (wall-clock columns excluded), and `merge`, which combines files and
//   skips runs already present so a sweep can resume.
// - `Schema` holds the tables, views and migrations; `WriterBenchmark` the raw C-API baseline
//   that `walrus-sim bench results` compares the writer against.
//
// Nothing here reads the clock or the environment: wall-clock values come from the caller.
