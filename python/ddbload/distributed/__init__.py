"""One rehearsal spread over a Ray cluster: the load split into tasks, their results merged exactly."""
