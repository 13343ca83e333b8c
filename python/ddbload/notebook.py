"""Live progress in a Jupyter notebook: one output that updates in place (IPython's display handles),
so neither a line per second nor a widget that needs ipywidgets."""

from __future__ import annotations

from typing import Any

from .live import format_tick, tick_header


class NotebookProgress:
    """A `progress` callback that keeps one display up to date: the setup steps so far, the seeding
    count, and the latest second under its column header."""

    def __init__(self, duration_s: float) -> None:
        from IPython.display import Pretty, display

        self._pretty = Pretty
        self._duration_s = duration_s
        self._steps: list[str] = []
        self._seed = ""
        self._tick: list[str] = []
        self._handle = display(Pretty("ddbload: starting"), display_id=True)

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "phase":
            self._steps.append(f"{event['phase']}: {event['message']}")
        elif kind == "seed":
            self._seed = f"seeding {event.get('what', 'products')} {event['done']:,}/{event['total']:,}"
        elif kind == "tick" and event["seconds"] >= 0.5:
            self._tick = [tick_header("target_rate" in event), format_tick(event, self._duration_s)]
        else:
            return
        lines = [*self._steps, *([self._seed] if self._seed else []), *self._tick]
        if self._handle is not None:
            self._handle.update(self._pretty("\n".join(lines)))

    def close(self) -> None:
        """Nothing to release: the display stays as the run's last state."""
