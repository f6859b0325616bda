/// ScenarioLoader: scenario files (TOML) -> validated `Scenario` values; see Scenarios/README.md.
