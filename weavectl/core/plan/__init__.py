"""Planning: the typed plan, the differ, the planner, steps and policy, export, migrations."""
