"""The use cases: plan, apply, smoke, export, diff.

Each takes a typed request (what the command's flags mean) and the `Environment` it runs in, explicitly (never
`current_environment()`), and returns a typed result; it warns through `env.warn` and times with `env.clock`.
A result carries its exit code; commands parse flags, call one use case, render its result and return
that code. The engines below (`run`,
`execute`, `migrate`, `smoke`, `cost`, `explain`) do the work.
"""
