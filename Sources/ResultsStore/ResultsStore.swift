/// ResultsStore: see ../shared/DESIGN.md §7.
