/// Economics: see ../shared/DESIGN.md §3 for what this module owns.
